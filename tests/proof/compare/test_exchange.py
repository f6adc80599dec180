from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from proof import Tap, respond
from proof.compare import ExchangeRequest

pytestmark = pytest.mark.anyio

SCOPE: Scope = {
    "type": "http",
    "method": "POST",
    "path": "/echo",
    "raw_path": b"/echo",
    "query_string": b"",
    "headers": [(b"content-type", b"application/json")],
    "route": "added by routing",
}


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    body = await Request(scope, receive).body()
    await JSONResponse({"got": body.decode()})(scope, receive, send)


def _client(*chunks: bytes) -> tuple[Receive, list[Message]]:
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return receive, sent


async def test_tap_keeps_the_body_and_response_and_passes_both_untouched() -> None:
    receive, sent = _client(b'{"a"', b": 1}")

    async def send(message: Message) -> None:
        sent.append(message)

    tap = Tap(SCOPE)
    await tap.serve(_echo, receive, send)
    exchange = tap.exchange()
    assert exchange.request.body == b'{"a": 1}'
    assert "route" not in exchange.request.scope
    assert (exchange.response.status, exchange.response.body) == (200, b'{"got":"{\\"a\\": 1}"}')
    assert sent[1]["body"] == exchange.response.body
    assert not tap.too_large and not tap.disconnected


async def test_tap_over_the_limit_says_so_and_still_serves_everything() -> None:
    receive, sent = _client(b"x" * 10, b"y" * 10)

    async def send(message: Message) -> None:
        sent.append(message)

    tap = Tap(SCOPE, limit=15)
    await tap.serve(_echo, receive, send)
    assert tap.too_large
    assert sent[1]["body"] == b'{"got":"' + b"x" * 10 + b"y" * 10 + b'"}'


async def test_tap_notes_a_client_that_left_before_the_response_was_complete() -> None:
    async def waits_for_disconnect(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await receive()

    receive, _ = _client(b"")

    async def send(message: Message) -> None:
        pass

    tap = Tap(SCOPE)
    await tap.serve(waits_for_disconnect, receive, send)
    assert tap.disconnected


async def test_respond_runs_an_app_on_a_held_request_with_a_fresh_scope() -> None:
    request = ExchangeRequest.of(SCOPE, b"hello")
    response = await respond(_echo, request)
    assert (response.status, response.body, response.complete) == (200, b'{"got":"hello"}', True)
    assert "route" not in request.scope


async def test_respond_lets_a_stream_finish_before_saying_the_client_left() -> None:
    async def slow() -> AsyncIterator[str]:
        for word in ("a", "b"):
            await asyncio.sleep(0.01)
            yield word

    app = StreamingResponse(slow(), media_type="text/plain")
    response = await respond(app, ExchangeRequest.of(SCOPE))
    assert (response.body, response.complete) == (b"ab", True)


async def test_respond_keeps_what_an_app_raised_after_its_response() -> None:
    async def late(scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse(None)(scope, receive, send)
        raise RuntimeError("late")

    response = await respond(late, ExchangeRequest.of(SCOPE))
    assert response.complete and isinstance(response.raised, RuntimeError)
