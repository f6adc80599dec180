from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import apis
from gateway.app import GatewayApp
from gateway.flags import parse_flags
from gateway.settings import ServerSettings
from tests.captured_logs import captured_logs

FLAGS = "apis:\n  models: legacy\n  batches:\n    mode: canary\n    percent: 50\n"


async def _sides(tmp_path: Path, allow: bool, value: str) -> tuple[list[httpx.Response], list[dict[str, object]]]:
    settings = ServerSettings(data_dir=tmp_path, allow_force_header=allow)
    app = GatewayApp(apis.registry, settings, flags=parse_flags(FLAGS, tmp_path / "flags.yaml"))
    async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        with captured_logs() as logs:
            responses = [await client.get("/v1/models", headers={"x-gateway-force-backend": value}) for _ in range(10)]
    return responses, [dict(line) for line in logs if line["event"] == "request"]


@pytest.mark.anyio
@pytest.mark.parametrize("value", ["migrated", "Migrated "])
async def test_forced_side_with_the_header_allowed(tmp_path: Path, value: str) -> None:
    responses, lines = await _sides(tmp_path, True, value)
    assert {r.headers["x-gateway-backend"] for r in responses} == {"migrated"}
    assert {(line["backend"], line["reason"], line["mode"]) for line in lines} == {("migrated", "header", "legacy")}


@pytest.mark.anyio
async def test_forced_side_header_is_ignored_unless_allowed(tmp_path: Path) -> None:
    responses, lines = await _sides(tmp_path, False, "migrated")
    assert {r.headers["x-gateway-backend"] for r in responses} == {"legacy"}
    assert {line["reason"] for line in lines} == {"api"}


@pytest.mark.anyio
async def test_forced_side_unknown_value_is_a_400_naming_the_header(tmp_path: Path) -> None:
    responses, _ = await _sides(tmp_path, True, "router")
    assert responses[0].status_code == 400
    assert responses[0].json() == {"detail": "x-gateway-force-backend must be one of legacy, migrated, not 'router'"}
    assert responses[0].headers["x-gateway-backend"] == "gateway"


@pytest.mark.anyio
async def test_forced_side_overrides_a_canary_split(tmp_path: Path) -> None:
    settings = ServerSettings(data_dir=tmp_path, allow_force_header=True)
    app = GatewayApp(apis.registry, settings, flags=parse_flags(FLAGS, tmp_path / "flags.yaml"))
    async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        for side in ("legacy", "migrated"):
            sides = {
                (await client.get("/v1/batches", headers={"x-gateway-force-backend": side})).headers[
                    "x-gateway-backend"
                ]
                for _ in range(20)
            }
            assert sides == {side}
