"""Mode `shadow` through the gateway: legacy answers, the router is compared on the same calls."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from starlette.applications import Starlette

from apis.registry import registry as example_registry
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.registry import ApiContext, ApiRegistry
from gateway.settings import ServerSettings
from http_conventions import create_router_app
from tests.proof import drifting_routers

pytestmark = pytest.mark.anyio

LogEntry = MutableMapping[str, Any]


async def _shadow_lines(logs: list[LogEntry], count: int) -> list[LogEntry]:
    async with asyncio.timeout(5):
        while len(lines := [entry for entry in logs if entry["event"] == "shadow"]) < count:
            await asyncio.sleep(0.005)
    return lines


def _gateway(tmp_path: Path, flags: FlagFile, registry: ApiRegistry = example_registry) -> GatewayApp:
    return GatewayApp(registry, ServerSettings(data_dir=tmp_path), flags=flags)


async def test_shadow_legacy_answers_and_the_router_matches_on_post_get_delete(tmp_path: Path) -> None:
    app = _gateway(tmp_path, FlagFile(default="shadow"))
    with structlog.testing.capture_logs() as logs:
        async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
            created = await client.post("/v1/models", json={"model_id": "team/fast", "metadata": {"owner": "a"}})
            fetched = await client.get("/v1/models/team/fast")
            deleted = await client.delete("/v1/models/team/fast", headers={"x-request-id": "the-delete"})
            lines = await _shadow_lines(logs, 3)
            status = (await client.get("/_gateway/status")).json()
            metrics = (await client.get("/metrics")).text
            after = await client.get("/v1/models/team/fast")
    assert [r.status_code for r in (created, fetched, deleted, after)] == [200, 200, 204, 404]
    assert {r.headers["x-gateway-backend"] for r in (created, fetched, deleted)} == {"legacy"}
    assert [(line["result"], line["reason"], line["diff"]) for line in lines] == [("match", None, None)] * 3
    assert lines[2]["request_id"] == "the-delete" and lines[2]["route"] == "/v1/models/{model_id:path}"
    assert lines[2]["api"] == "models" and lines[2]["legacy_ms"] > 0 and lines[2]["candidate_ms"] > 0
    assert {line["backend"] for line in lines} == {"legacy"}
    route = status["apis"]["models"]["routes"]["DELETE /v1/models/{model_id:path}"]
    assert route["backend"] == "legacy" and route["mode"] == "shadow"
    assert route["shadow"] == {"compared": 1, "matched": 1, "mismatched": 0, "skipped": 0, "last_mismatch": None}
    assert status["apis"]["models"]["mode"] == "shadow"
    assert (
        'gateway_shadow_total{api="models",method="DELETE",result="match",route="/v1/models/{model_id:path}"} 1.0'
        in metrics
    )


def _drifting_registry() -> ApiRegistry:
    registry = ApiRegistry()
    for registration in example_registry:

        def drifting(implementation: Any, context: ApiContext) -> Starlette:
            return create_router_app(drifting_routers.models_router(), implementation, title="drifting")

        registry.register_api(
            registration.name,
            implementation=registration.implementation,
            legacy=registration.legacy,
            migrated=drifting if registration.name == "models" else registration.migrated,
        )
    return registry


async def test_shadow_mismatch_in_the_log_line_status_and_metric(tmp_path: Path) -> None:
    app = _gateway(tmp_path, FlagFile(apis={"models": "shadow"}), _drifting_registry())
    with structlog.testing.capture_logs() as logs:
        async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
            await client.post("/v1/models", json={"model_id": "team/fast"})
            deleted = await client.delete("/v1/models/team/fast", headers={"x-request-id": "drifted"})
            lines = await _shadow_lines(logs, 2)
            status = (await client.get("/_gateway/status")).json()
            metrics = (await client.get("/metrics")).text
    assert deleted.status_code == 204
    line = lines[1]
    assert (line["result"], line["request_id"]) == ("mismatch", "drifted")
    assert line["diff"].splitlines()[:2] == [
        "status: legacy 204 | migrated 200",
        'media type: legacy (absent) | migrated "application/json"',
    ]
    shadow = status["apis"]["models"]["routes"]["DELETE /v1/models/{model_id:path}"]["shadow"]
    assert (shadow["compared"], shadow["mismatched"]) == (1, 1)
    assert shadow["last_mismatch"]["request_id"] == "drifted" and shadow["last_mismatch"]["diff"] == line["diff"]
    assert 'result="mismatch",route="/v1/models/{model_id:path}"} 1.0' in metrics


@pytest.mark.parametrize(("sample", "result"), [(0.0, ("skipped", "sampled_out")), (1.0, ("match", None))])
async def test_shadow_sample(tmp_path: Path, sample: float, result: tuple[str, str | None]) -> None:
    flags = FlagFile.model_validate({"apis": {"models": {"mode": "shadow", "sample": sample}}})
    app = _gateway(tmp_path, flags)
    with structlog.testing.capture_logs() as logs:
        async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
            answers = [await client.get("/v1/models") for _ in range(5)]
            lines = await _shadow_lines(logs, 5)
    assert {a.status_code for a in answers} == {200}
    assert {(line["result"], line["reason"]) for line in lines} == {result}


async def test_other_modes_capture_nothing_and_log_no_shadow_line(tmp_path: Path) -> None:
    app = _gateway(tmp_path, FlagFile(default="legacy"))
    with structlog.testing.capture_logs() as logs:
        async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
            await client.get("/v1/models")
            status = (await client.get("/_gateway/status")).json()
    assert not [entry for entry in logs if entry["event"] == "shadow"]
    assert "shadow" not in status["apis"]["models"]["routes"]["GET /v1/models"]
