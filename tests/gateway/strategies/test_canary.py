from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import apis
from gateway.app import GatewayApp
from gateway.flags import parse_flags
from gateway.registry import ApiRegistry
from gateway.rollout import rules as rules_module
from gateway.rollout.buckets import bucket
from gateway.settings import ServerSettings
from tests.captured_logs import captured_logs
from tests.gateway.rollout import canary_api

ROLLBACK_DEADLINE = 10.0


@asynccontextmanager
async def _client(
    tmp_path: Path, flags: str, registry: ApiRegistry = apis.registry, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    app = GatewayApp(
        registry, ServerSettings(data_dir=tmp_path, **settings), flags=parse_flags(flags, tmp_path / "flags.yaml")
    )
    async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        yield client


def _models_canary(fields: str) -> str:
    return "apis:\n  models:\n    mode: canary\n" + "".join(f"    {line}\n" for line in fields.splitlines())


@pytest.mark.anyio
async def test_canary_sticky_header_gives_each_value_its_bucket_side(tmp_path: Path) -> None:
    async with _client(tmp_path, _models_canary("percent: 30\nsticky: header:x-user-id")) as client:
        for number in range(100):
            user = f"user-{number}"
            expected = "migrated" if bucket("models", user) < 3000 else "legacy"
            for _ in range(2):
                response = await client.get("/v1/models", headers={"x-user-id": user})
                assert response.status_code == 200
                assert response.headers["x-gateway-backend"] == expected, user


@pytest.mark.anyio
async def test_canary_sticky_client_keeps_one_address_on_one_side(tmp_path: Path) -> None:
    async with _client(tmp_path, _models_canary("percent: 50\nsticky: client")) as client:
        sides = {(await client.get("/v1/models")).headers["x-gateway-backend"] for _ in range(20)}
    # httpx's ASGI transport calls from 127.0.0.1.
    assert sides == {"migrated" if bucket("models", "127.0.0.1") < 5000 else "legacy"}


@pytest.mark.anyio
async def test_canary_missing_sticky_header_splits_per_request_and_is_counted(tmp_path: Path) -> None:
    async with _client(tmp_path, _models_canary("percent: 50\nsticky: header:x-user-id")) as client:
        sides = [(await client.get("/v1/models")).headers["x-gateway-backend"] for _ in range(60)]
        metrics = (await client.get("/metrics")).text
    assert set(sides) == {"legacy", "migrated"}
    assert 'gateway_canary_unsticky_total{api="models",reason="missing_header",route="/v1/models"} 60.0' in metrics


@pytest.mark.anyio
@pytest.mark.parametrize(("percent", "side"), [(0, "legacy"), (100, "migrated")])
async def test_canary_at_the_ends_serves_one_side(tmp_path: Path, percent: int, side: str) -> None:
    async with _client(tmp_path, _models_canary(f"percent: {percent}")) as client:
        sides = {(await client.get("/v1/models")).headers["x-gateway-backend"] for _ in range(30)}
    assert sides == {side}


@pytest.mark.anyio
async def test_canary_request_line_names_the_side_and_the_mode(tmp_path: Path) -> None:
    async with _client(tmp_path, _models_canary("percent: 100")) as client:
        with captured_logs() as logs:
            await client.get("/v1/models")
        status = (await client.get("/_gateway/status")).json()
    [line] = [line for line in logs if line["event"] == "request"]
    assert (line["backend"], line["mode"], line["reason"]) == ("migrated", "canary", "api")
    route = status["apis"]["models"]["routes"]["GET /v1/models"]
    assert route["backend"] == "canary"
    assert route["canary"] == {"percent": 100.0, "sticky": "none", "rolled_back": None}
    assert status["apis"]["models"]["mode"] == "canary"


def _pets_canary(rollback: str) -> str:
    return f"apis:\n  pets:\n    mode: canary\n    percent: 50\n    rollback: {rollback}\n"


async def _until_rolled_back(client: httpx.AsyncClient, route: str, *also: str) -> dict[str, Any]:
    """Send requests to the route (and to `also`) until status shows it rolled back; the API's routes in status."""
    paths = [key.split(" ", 1)[1] for key in (route, *also)]
    started = time.monotonic()
    while time.monotonic() - started < ROLLBACK_DEADLINE:
        for _ in range(10):
            for path in paths:
                await client.get(path)
        routes = (await client.get("/_gateway/status")).json()["apis"]["pets"]["routes"]
        if routes[route]["canary"]["rolled_back"] is not None:
            return dict(routes)
    raise AssertionError(f"{route} not rolled back within {ROLLBACK_DEADLINE} s")


@pytest.mark.anyio
async def test_canary_router_failing_on_one_route_rolls_that_route_back(tmp_path: Path) -> None:
    rules = "{max_5xx_ratio: 2, min_requests: 10, window_s: 30}"
    async with _client(tmp_path, _pets_canary(rules), canary_api.registry) as client:
        with captured_logs() as logs:
            routes = await _until_rolled_back(client, canary_api.FAILING, canary_api.STEADY)
        after = [await client.get("/v1/pets/failing") for _ in range(20)]
        steady = {(await client.get("/v1/pets")).headers["x-gateway-backend"] for _ in range(40)}
        metrics = (await client.get("/metrics")).text
    rolled_back = routes[canary_api.FAILING]["canary"]["rolled_back"]
    assert rolled_back["rule"] == "max_5xx_ratio" and rolled_back["at"].endswith("Z")
    assert rolled_back["observed"]["router_5xx_ratio"] == 1.0 and rolled_back["observed"]["legacy_5xx_ratio"] == 0.0
    assert routes[canary_api.STEADY]["canary"]["rolled_back"] is None
    assert {(r.status_code, r.headers["x-gateway-backend"]) for r in after} == {(200, "legacy")}
    assert steady == {"legacy", "migrated"}
    [line] = [line for line in logs if line["event"] == "rollback"]
    assert (line["api"], line["route"], line["rule"]) == ("pets", canary_api.FAILING, "max_5xx_ratio")
    assert line["log_level"] == "warning"
    assert (
        'gateway_rollbacks_total{api="pets",method="GET",route="/v1/pets/failing",rule="max_5xx_ratio"} 1.0' in metrics
    )


@pytest.mark.anyio
async def test_canary_slow_router_is_rolled_back_by_the_p99_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100 answers of a router that takes 50 ms would make the test 5 s long.
    monkeypatch.setattr(rules_module, "MIN_P99_ANSWERS", 10)
    rules = "{max_p99_ratio: 1.5, min_requests: 10, window_s: 30}"
    async with _client(tmp_path, _pets_canary(rules), canary_api.registry) as client:
        routes = await _until_rolled_back(client, canary_api.SLOW)
    rolled_back = routes[canary_api.SLOW]["canary"]["rolled_back"]
    assert rolled_back["rule"] == "max_p99_ratio"
    observed = rolled_back["observed"]
    assert observed["router_p99_ms"] >= canary_api.SLOW_SECONDS * 1000
    assert observed["router_p99_ms"] > 1.5 * observed["legacy_p99_ms"]
