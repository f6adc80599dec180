from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.request_log import Answer, RequestLog, request_id
from gateway.settings import ServerSettings
from tests.captured_logs import captured_logs

NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="legacy"))
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        pytest.param(b"abc-123", True, id="plain"),
        pytest.param(b"k" * 128, True, id="128-characters"),
        pytest.param(b"with spaces and ~!", True, id="printable-ascii"),
        pytest.param(b"k" * 129, False, id="129-characters"),
        pytest.param(b"", False, id="empty"),
        pytest.param(b"tab\there", False, id="control-character"),
        pytest.param(b"caf\xe9", False, id="non-ascii"),
    ],
)
def test_request_id_keeps_only_short_printable_ids(given: bytes, kept: bool) -> None:
    chosen = request_id({"headers": [(b"accept", b"*/*"), (b"x-request-id", given)]})
    if kept:
        assert chosen == given.decode()
    else:
        assert NEW_ID.fullmatch(chosen)


def test_request_id_is_new_for_each_request_without_one() -> None:
    first, second = request_id({"headers": []}), request_id({"headers": []})
    assert NEW_ID.fullmatch(first) and first != second


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path", ["/_gateway/status", "/_gateway/routes", "/_gateway/health", "/metrics", "/openapi.json", "/docs"]
)
async def test_gateway_own_responses_carry_the_headers_and_write_one_request_line(
    client: httpx.AsyncClient, path: str
) -> None:
    with captured_logs() as logs:
        response = await client.get(path, headers={"x-request-id": "own-1"})

    assert response.status_code == 200
    assert (response.headers["x-request-id"], response.headers["x-gateway-backend"]) == ("own-1", "gateway")
    lines = [entry for entry in logs if entry["event"] == "request"]
    assert [(line["path"], line["status"], line["pid"], line["request_id"], line["backend"]) for line in lines] == [
        (path, 200, os.getpid(), "own-1", "gateway")
    ]


def _streaming_app(events: list[str]) -> ASGIApp:
    """Sends a first chunk, then waits for the client the way Starlette's StreamingResponse does."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        message = await receive()
        events.append(message["type"])
        if message["type"] != "http.disconnect":
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


async def _serve_once(app: ASGIApp, client_messages: list[Message]) -> MutableMapping[str, Any]:
    async def receive() -> Message:
        return client_messages.pop(0)

    async def send(message: Message) -> None:
        pass

    scope: Scope = {"type": "http", "method": "POST", "path": "/stream", "headers": []}
    with captured_logs() as logs:
        await RequestLog().serve(Answer(app, "migrated"), scope, receive, send)
    (line,) = (entry for entry in logs if entry["event"] == "request")
    return line


@pytest.mark.anyio
async def test_client_leaving_mid_response_is_logged_as_disconnected() -> None:
    events: list[str] = []
    line = await _serve_once(_streaming_app(events), [{"type": "http.disconnect"}])
    assert events == ["http.disconnect"]
    assert (line["status"], line["disconnected"], line["backend"]) == (200, True, "migrated")


@pytest.mark.anyio
async def test_disconnect_after_a_complete_response_is_not_a_disconnect() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        # Servers answer `http.disconnect` to every receive once the response is complete.
        await receive()

    line = await _serve_once(app, [{"type": "http.disconnect"}])
    assert (line["status"], line["disconnected"]) == (204, False)


@pytest.mark.anyio
async def test_app_failing_before_answering_gets_the_unhandled_error_with_the_headers() -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    scope: Scope = {"type": "http", "method": "GET", "path": "/x", "headers": [(b"x-request-id", b"f-1")]}
    with captured_logs() as logs:
        await RequestLog().serve(Answer(failing, "legacy"), scope, receive, send)

    assert sent[0]["status"] == 500
    assert (b"x-request-id", b"f-1") in sent[0]["headers"]
    assert (b"x-gateway-backend", b"legacy") in sent[0]["headers"]
    assert [entry["event"] for entry in logs] == ["request_failed", "request"]
