from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message

import apis
from gateway.app import GatewayApp
from gateway.exceptions import ApiStartupError
from gateway.flags import FlagFile
from gateway.modes import SIDES
from gateway.registry import ApiContext, ApiRegistry
from gateway.settings import ServerSettings
from http_conventions.deferred_route import DeferredRoute
from tests.captured_logs import captured_logs
from tests.gateway.unbuildable_api import things_registry


async def _lifespan(app: GatewayApp, *client_messages: str) -> list[str]:
    """Drive the ASGI lifespan as a server does; the types of the gateway's replies."""
    incoming = [{"type": message} for message in client_messages]
    replies: list[str] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        replies.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            replies.append(app.runtime.readiness.state)

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    return replies


@pytest.mark.anyio
async def test_lifespan_starts_the_runtime_and_drains_it_on_shutdown(tmp_path: Path) -> None:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile())
    replies = await _lifespan(app, "lifespan.startup", "lifespan.shutdown")
    assert replies == ["lifespan.startup.complete", "ok", "lifespan.shutdown.complete"]
    assert app.runtime.readiness.state == "draining"


@pytest.mark.anyio
async def test_lifespan_reports_a_failed_start_with_its_message_and_keeps_the_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path / "a-file"), flags=FlagFile())
    assert await _lifespan(app, "lifespan.startup") == ["lifespan.startup.failed"]
    # `gateway serve` says it as any bad input: one line, exit status 2.
    assert "not a directory" in str(app.start_failure)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="migrated"))
    async with app.running():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
            yield client


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/docs/", "/openapi.json/", "/_gateway/nothing", "/_gateway/health/"])
async def test_only_exact_gateway_paths_are_the_gateway_s_own(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def _failing_registry(error: Exception) -> ApiRegistry:
    @asynccontextmanager
    async def refuse(context: ApiContext) -> AsyncIterator[object]:
        raise error
        yield  # pragma: no cover

    registry = ApiRegistry()
    registry.register_api("refusing", implementation=refuse, legacy=lambda impl, context: Starlette())
    return registry


async def _startup_failure(app: GatewayApp) -> Message:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        sent.append(message)

    with pytest.raises(Exception):  # noqa: B017 - re-raised to the server, whatever it is
        await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert [message["type"] for message in sent] == ["lifespan.startup.failed"]
    return sent[0]


@pytest.mark.anyio
async def test_a_start_up_failure_stated_in_full_is_reported_without_a_traceback(tmp_path: Path) -> None:
    error = ApiStartupError("database postgresql://gw:***@db/gw: cannot connect: connection refused")
    app = GatewayApp(_failing_registry(error), ServerSettings(data_dir=tmp_path), flags=FlagFile())

    with captured_logs() as logs:
        failed = await _startup_failure(app)

    assert failed["message"] == ""
    assert [(line["event"], line["error"]) for line in logs] == [("apis_not_started", str(error))]
    # Not a bad flag file: `gateway serve` says the APIs did not start and points at the line.
    assert app.start_failure is None


@pytest.mark.anyio
async def test_an_unexpected_start_up_failure_keeps_its_traceback(tmp_path: Path) -> None:
    app = GatewayApp(_failing_registry(RuntimeError("a bug")), ServerSettings(data_dir=tmp_path), flags=FlagFile())

    failed = await _startup_failure(app)

    # Failed, not merely raised: uvicorn's default lifespan "auto" would otherwise serve without the APIs.
    assert failed["message"].startswith("Traceback (most recent call last):")
    assert "RuntimeError: a bug" in failed["message"]


@pytest.mark.anyio
async def test_start_up_builds_one_route_a_side_before_ready(tmp_path: Path) -> None:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="migrated"))
    async with app.running():
        routes = [
            (api.name, side, route)
            for api in app.runtime.apis
            for side in SIDES
            if (side_app := api.app(side)) is not None
            for route in side_app.routes
            if isinstance(route, DeferredRoute)
        ]
        # The first build pays the libraries' one-off start before the server is ready; the warm-up builds the rest
        # once the loop turns (tests/gateway/test_warm_up.py).
        assert [(name, side) for name, side, route in routes if route.built] == [
            ("models", "legacy"),
            ("models", "migrated"),
        ]


@pytest.mark.anyio
async def test_a_route_that_cannot_be_built_answers_500_naming_itself_and_the_others_serve(tmp_path: Path) -> None:
    registry = things_registry()
    app = GatewayApp(registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="migrated"))

    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            with captured_logs() as logs:
                broken = await client.get("/v1/things/1")
            served = await client.get("/v1/things")

    assert broken.status_code == 500
    errors = [line["error"] for line in logs if line["event"] == "unhandled_error"]
    assert len(errors) == 1
    assert "route GET /v1/things/{thing_id} (get_thing) cannot be built" in errors[0]
    assert served.json() == {"data": []}
