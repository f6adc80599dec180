from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message, Scope

from tests.legacy_adapter.toy_api import WidgetsImpl

pytestmark = pytest.mark.anyio


def _chunk(index: int) -> str:
    return f'data: {{"index":{index},"provider_data":{{}}}}\n\n'


async def test_stream_true_answers_200_event_stream(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat", json={"prompt": "hi", "count": 2, "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/event-stream"


async def test_stream_items_are_framed_as_data_lines_without_done_marker(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat", json={"prompt": "hi", "count": 3, "stream": True})
    assert response.text == _chunk(0) + _chunk(1) + _chunk(2)


async def test_stream_flag_inside_params_model_streams(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/completions", json={"prompt": "hi", "count": 2, "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/event-stream"
    assert response.text == _chunk(0) + _chunk(1)


async def test_stream_false_inside_params_model_answers_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/completions", json={"prompt": "hi", "count": 2})
    assert response.status_code == 200
    assert response.json() == {"index": 2, "provider_data": {}}


async def test_error_before_first_item_answers_200_with_one_error_event(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat", json={"prompt": "unknown", "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/event-stream"
    assert response.text == 'data: {"error": {"message": "404: Model \'unknown\' not found"}}\n\n'


async def test_error_mid_stream_sends_items_so_far_then_error_event(
    client: httpx.AsyncClient, impl: WidgetsImpl
) -> None:
    response = await client.post("/v1/chat", json={"prompt": "hi", "count": 5, "fail_after": 2, "stream": True})
    assert response.status_code == 200
    assert response.text == _chunk(0) + _chunk(1) + 'data: {"error": {"message": "502: provider went away"}}\n\n'
    assert impl.stream_closed


async def test_stream_server_error_is_logged_at_error_with_its_stack(
    client: httpx.AsyncClient, logs: list[MutableMapping[str, Any]]
) -> None:
    # The provider going away (ConnectionError) is a 502: the server's problem.
    await client.post("/v1/chat", json={"prompt": "hi", "count": 5, "fail_after": 1, "stream": True})
    (entry,) = [entry for entry in logs if entry["log_level"] == "error"]
    assert (entry["event"], entry["status"], entry["error_type"]) == ("stream_error", 502, "ConnectionError")
    assert isinstance(entry["exc_info"], ConnectionError)


async def test_stream_client_error_is_logged_at_info_without_a_stack(
    client: httpx.AsyncClient, logs: list[MutableMapping[str, Any]]
) -> None:
    await client.post("/v1/chat", json={"prompt": "unknown", "stream": True})
    (entry,) = [entry for entry in logs if entry["event"] == "stream_error"]
    assert (entry["log_level"], entry["status"], entry["error_type"]) == ("info", 404, "ResourceNotFoundError")
    assert "exc_info" not in entry


async def test_completed_stream_closes_the_implementation_iterator(
    client: httpx.AsyncClient, impl: WidgetsImpl
) -> None:
    await client.post("/v1/chat", json={"prompt": "hi", "count": 2, "stream": True})
    assert impl.stream_closed


@pytest.mark.parametrize(
    ("stream_awaits_provider", "send_awaits_client"),
    [
        # The disconnect arrives while the implementation awaits its provider.
        pytest.param(True, False, id="waiting-on-provider"),
        # The disconnect arrives while the server waits for a slow client to drain (uvicorn's send).
        pytest.param(False, True, id="waiting-on-client"),
    ],
)
async def test_client_disconnect_closes_the_implementation_iterator(
    app: FastAPI, impl: WidgetsImpl, stream_awaits_provider: bool, send_awaits_client: bool
) -> None:
    impl.stream_awaits_provider = stream_awaits_provider
    body = json.dumps({"prompt": "hi", "count": 10_000, "stream": True}).encode()
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/chat",
        "raw_path": b"/v1/chat",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1234),
        "server": ("test", 80),
    }
    first_item_sent = anyio.Event()
    request_read = False
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal request_read
        if not request_read:
            request_read = True
            return {"type": "http.request", "body": body, "more_body": False}
        await first_item_sent.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            first_item_sent.set()
        if send_awaits_client:
            await anyio.sleep(0)

    with anyio.fail_after(5):
        await app(scope, receive, send)

    assert sent[0]["status"] == 200
    chunks = [m for m in sent if m["type"] == "http.response.body" and m.get("body")]
    assert 1 <= len(chunks) < 10_000
    assert impl.stream_closed
