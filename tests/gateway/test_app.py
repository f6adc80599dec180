from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.types import Message

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.settings import ServerSettings


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
async def test_lifespan_reports_a_failed_start(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path / "a-file"), flags=FlagFile())
    with pytest.raises(Exception, match="not a directory"):
        await _lifespan(app, "lifespan.startup")


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
