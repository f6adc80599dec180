"""Calling an ASGI app in-process with a scope like uvicorn's, and timing the calls.

No network and no server: each call runs in a task of its own, as uvicorn runs each
request (so context variables never leak from one request to the next), with a fresh
copy of the scope, a `receive` that hands over the request body once and then waits like
a client that stays connected, and a `send` that drops or records what the app answers.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope


@dataclass(frozen=True)
class RequestTemplate:
    """One request, reusable: the scope to copy and the body message to hand over."""

    scope: Scope
    message: Message

    @classmethod
    def build(
        cls, method: str, path: str, *, json_body: Any = None, headers: Iterable[tuple[str, str]] = ()
    ) -> RequestTemplate:
        body = b"" if json_body is None else json.dumps(json_body).encode()
        raw_headers = [(b"host", b"127.0.0.1:8321"), (b"user-agent", b"bench"), (b"accept", b"*/*")]
        if json_body is not None:
            raw_headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        raw_headers += [(name.lower().encode(), value.encode()) for name, value in headers]
        scope: Scope = {
            "type": "http",
            # What uvicorn's httptools protocol sends, so Starlette takes the same code paths.
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "server": ("127.0.0.1", 8321),
            "client": ("127.0.0.1", 54321),
            "scheme": "http",
            "method": method,
            "root_path": "",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": raw_headers,
        }
        return cls(scope=scope, message={"type": "http.request", "body": body, "more_body": False})


def _receiver(message: Message) -> Receive:
    pending = [message]

    async def receive() -> Message:
        if pending:
            return pending.pop()
        # A client that stays connected: nothing more until the app stops listening.
        waiter: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        return await waiter

    return receive


async def _discard(message: Message) -> None:
    return None


async def time_calls(app: ASGIApp, request: RequestTemplate, count: int) -> float:
    """Microseconds of this process's CPU time per call, over `count` calls made one after the other.

    CPU time, not wall time: on a shared machine the other processes' load does not count.
    """
    scope, message = request.scope, request.message
    started = time.process_time()
    for _ in range(count):
        await asyncio.ensure_future(app(dict(scope), _receiver(message), _discard))
    return (time.process_time() - started) / count * 1e6


async def time_concurrent_calls(app: ASGIApp, request: RequestTemplate, count: int, concurrency: int) -> float:
    """Microseconds of CPU time per call, `concurrency` calls at a time (what a loaded server's loop turn holds)."""
    scope, message = request.scope, request.message
    started = time.process_time()
    for _ in range(max(1, count // concurrency)):
        await asyncio.gather(*(app(dict(scope), _receiver(message), _discard) for _ in range(concurrency)))
    return (time.process_time() - started) / (max(1, count // concurrency) * concurrency) * 1e6


@dataclass
class Answer:
    """What an app sent for one request, with the time of each body chunk."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    chunk_times: list[float] = field(default_factory=list)
    started: float = 0.0

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    @property
    def first_chunk_seconds(self) -> float:
        return self.chunk_times[0] - self.started

    @property
    def total_seconds(self) -> float:
        return self.chunk_times[-1] - self.started


async def call(app: ASGIApp, request: RequestTemplate) -> Answer:
    """Call the app once and record its answer; empty body messages are not chunks."""
    answer = Answer()

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body" and message.get("body"):
            answer.chunk_times.append(time.perf_counter())
            answer.chunks.append(message["body"])

    coroutine = app(dict(request.scope), _receiver(request.message), send)
    answer.started = time.perf_counter()
    await asyncio.ensure_future(coroutine)
    return answer


def sse_events(body: bytes) -> list[bytes]:
    """The events of a ``text/event-stream`` body (``data: ...`` blocks)."""
    return [event for event in body.split(b"\n\n") if event.startswith(b"data: ")]


async def expect(app: ASGIApp, request: RequestTemplate, status: int = 200, backend: str | None = None) -> Answer:
    """Call once and fail loudly if the answer is not the one the benchmark means to time."""
    answer = await call(app, request)
    if answer.status != status:
        raise AssertionError(
            f"{request.scope['method']} {request.scope['path']}: status {answer.status}, body {answer.body[:300]!r}"
        )
    if backend is not None and answer.headers.get("x-gateway-backend") != backend:
        raise AssertionError(f"{request.scope['path']}: served by {answer.headers.get('x-gateway-backend')}")
    return answer
