from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.lifecycle import ServedApi
from gateway.modes import SIDES
from gateway.settings import ServerSettings
from gateway.warm_up import PendingRoute, WarmUp, pending_routes
from http_conventions import create_router_app
from http_conventions.deferred_route import DeferredRoute
from tests.captured_logs import captured_logs
from tests.gateway.unbuildable_api import things_registry, things_router


def _deferred_routes(served: list[ServedApi]) -> list[DeferredRoute]:
    return [
        route
        for api in served
        for side in SIDES
        if (app := api.app(side)) is not None
        for route in app.routes
        if isinstance(route, DeferredRoute)
    ]


async def _warmed(app: GatewayApp) -> WarmUp:
    warm_up = app.runtime.warm_up
    assert warm_up is not None
    await asyncio.wait_for(warm_up.finished.wait(), timeout=10)
    return warm_up


@pytest.mark.anyio
async def test_a_route_that_cannot_be_built_is_reported_soon_after_start_without_a_request(tmp_path: Path) -> None:
    app = GatewayApp(things_registry(), ServerSettings(data_dir=tmp_path), flags=FlagFile(default="legacy"))

    with captured_logs() as logs:
        async with app.running():
            warm_up = await _warmed(app)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
                metrics = (await client.get("/metrics")).text

    not_built = [line for line in logs if line["event"] == "route_not_built"]
    assert [(line["api"], line["side"], line["route"], line["log_level"]) for line in not_built] == [
        ("things", "migrated", "GET /v1/things/{thing_id}", "error")
    ]
    assert "_Unreadable" in not_built[0]["error"]
    assert warm_up.failed == 1
    assert (
        'gateway_route_not_built{api="things",method="GET",route="/v1/things/{thing_id}",side="migrated"} 1.0'
        in metrics
    )
    # No request reached the route: it is the warm-up that found it.
    assert [line["event"] for line in logs if line.get("api") == "things" or line["event"] == "unhandled_error"] == [
        "route_not_built"
    ]


@pytest.mark.anyio
async def test_every_route_of_both_sides_is_built_once_the_warm_up_is_done(tmp_path: Path) -> None:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="migrated"))

    with captured_logs() as logs:
        async with app.running():
            routes = _deferred_routes(app.runtime.apis)
            # Ready with one route a side built: the others wait for the warm-up, which runs once the loop turns.
            assert sum(route.built for route in routes) == 2
            warm_up = await _warmed(app)
            assert all(route.built for route in routes)

    assert warm_up.failed == 0
    [warmed] = [line for line in logs if line["event"] == "routes_warmed"]
    assert warmed["routes"] == len(routes) - 2 and warmed["not_built"] == 0


def test_pending_routes_put_the_side_in_force_first() -> None:
    served = [
        ServedApi(
            "things",
            object(),
            create_router_app(things_router(broken=False), object(), title="legacy"),
            create_router_app(things_router(broken=False), object(), title="migrated"),
        )
    ]

    pending = pending_routes(served, {"GET /v1/things/{thing_id}": "legacy", "GET /v1/things": "migrated"})

    assert [(route.side, route.route.path) for route in pending] == [
        ("legacy", "/v1/things/{thing_id}"),
        ("migrated", "/v1/things"),
        ("legacy", "/v1/things"),
        ("migrated", "/v1/things/{thing_id}"),
    ]


@pytest.mark.anyio
async def test_the_warm_up_stops_quietly_when_the_worker_stops_serving() -> None:
    app = create_router_app(things_router(broken=False), object(), title="things")
    routes = [PendingRoute("things", "migrated", route) for route in app.routes if isinstance(route, DeferredRoute)]
    serving = True
    warm_up = WarmUp(routes, lambda pending: None, step_seconds=0.0)

    with captured_logs() as logs:
        async with warm_up.running(lambda: serving):
            # One step builds one route (no time to spare); draining then stops it before the next.
            await asyncio.sleep(0)
            serving = False
            await asyncio.sleep(0.05)

    assert [route.route.built for route in routes] == [True, False]
    assert not warm_up.finished.is_set()
    assert logs == []
