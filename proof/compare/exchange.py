"""An exchange: a request, the implementation calls it caused, and the response, as values.

Two ways to get one. `Tap` serves a live request with an app (the side that answers the
client) while capturing its implementation calls and keeping the request body and the
response as they go by, up to a size limit. `replayed()` runs another app on that
exchange's request, in memory and off the client's path, its calls answered from the
exchange's calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from proof.calls.capture import Capture
from proof.calls.observer import active
from proof.calls.outcome import Call
from proof.calls.replay import Replay

DEFAULT_BODY_LIMIT = 10 * 2**20
"""Bodies kept in memory for a comparison, each way (10 MiB)."""

# Keys routing and middleware add to a scope as a request goes through an app; a run starts without them.
_CONNECTION_KEYS = frozenset(
    {
        "type",
        "asgi",
        "http_version",
        "method",
        "scheme",
        "path",
        "raw_path",
        "root_path",
        "query_string",
        "headers",
        "client",
        "server",
        "extensions",
        "state",
        "user",
        "auth",
    }
)


@dataclass(frozen=True)
class ExchangeRequest:
    """A request as an app received it: its ASGI scope (connection keys only) and its whole body."""

    scope: Mapping[str, Any]
    body: bytes

    @classmethod
    def of(cls, scope: Mapping[str, Any], body: bytes = b"") -> ExchangeRequest:
        return cls({key: value for key, value in scope.items() if key in _CONNECTION_KEYS}, body)

    def new_scope(self) -> Scope:
        """A fresh scope for one run of an app: what apps write into it stays out of this request."""
        scope = dict(self.scope)
        scope["headers"] = list(scope.get("headers", ()))
        scope["state"] = dict(scope.get("state", {}))
        return scope


@dataclass(frozen=True)
class ExchangeResponse:
    """What an app answered: status, headers and body, whether it finished, and what it raised, if it did."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    complete: bool
    """The app sent its last body message."""
    too_large: bool = False
    """The body went past the limit; `body` holds its beginning."""
    raised: BaseException | None = None

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any case), or None."""
        wanted = name.lower().encode("latin-1")
        return next((value.decode("latin-1") for key, value in self.headers if key.lower() == wanted), None)

    @property
    def media_type(self) -> str | None:
        content_type = self.header("content-type")
        return content_type.split(";", 1)[0].strip().lower() if content_type else None


@dataclass(frozen=True)
class Exchange:
    """One request of one route: what came in, what the implementation was called with, what went out."""

    request: ExchangeRequest
    calls: tuple[Call, ...]
    response: ExchangeResponse


class _ResponseRecord:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.status = 0
        self.raw_headers: Sequence[tuple[bytes, bytes]] = ()
        """As the app sent them (apps do not change what they have sent): copied only for a comparison."""
        self.chunks: list[bytes] = []
        self.size = 0
        self.complete = False
        self.too_large = False

    def add(self, message: Message) -> None:
        if message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            self.size += len(chunk)
            if self.size > self.limit:
                self.too_large = True
            elif chunk:
                self.chunks.append(chunk)
            self.complete = not message.get("more_body", False)
        elif message["type"] == "http.response.start":
            self.status = message["status"]
            self.raw_headers = message.get("headers", ())

    def response(self, raised: BaseException | None) -> ExchangeResponse:
        return ExchangeResponse(
            status=self.status,
            headers=tuple((bytes(k), bytes(v)) for k, v in self.raw_headers),
            body=b"".join(self.chunks),
            complete=self.complete,
            too_large=self.too_large,
            raised=raised,
        )


class Tap:
    """Serves a live request with an app, capturing its calls and a copy of its body and response.

    Bodies are kept up to `limit` bytes each way. The client's request and response pass
    through untouched, whatever the tap keeps::

        tap = Tap(scope)
        await tap.serve(app, receive, send)
        if tap.disconnected or tap.too_large: ...   # nothing to compare
        exchange = tap.exchange()
    """

    def __init__(self, scope: Scope, limit: int = DEFAULT_BODY_LIMIT) -> None:
        self._scope = scope
        # The scope as the request came: apps add keys and change some (`root_path`) as it goes through them.
        self.scope: Mapping[str, Any] = dict(scope)
        self._capture = Capture()
        self._limit = limit
        self.body: list[bytes] = []
        """The request body's chunks (while within the limit)."""
        self._body_size = 0
        self.response = _ResponseRecord(limit)
        self.disconnected = False
        """The client left before the response was complete."""
        self.raised: BaseException | None = None
        self._receive_from: Receive | None = None
        self._send_to: Send | None = None

    @property
    def too_large(self) -> bool:
        """The request or the response body went past the limit."""
        return self._body_size > self._limit or self.response.too_large

    @property
    def complete(self) -> bool:
        return self.response.complete

    async def serve(self, app: ASGIApp, receive: Receive, send: Send) -> None:
        """Run `app` on the request; what it raises is noted and passed on."""
        # Bound methods rather than closures made per request: fewer objects for each request to make.
        self._receive_from, self._send_to = receive, send
        try:
            with active(self._capture):
                await app(self._scope, self._receive, self._send)
        except Exception as exc:
            self.raised = exc
            raise

    async def _receive(self) -> Message:
        assert self._receive_from is not None
        message = await self._receive_from()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            self._body_size += len(chunk)
            if chunk and self._body_size <= self._limit:
                self.body.append(chunk)
        elif message["type"] == "http.disconnect" and not self.response.complete:
            self.disconnected = True
        return message

    def _send(self, message: Message) -> Awaitable[None]:
        assert self._send_to is not None
        self.response.add(message)
        return self._send_to(message)

    @property
    def unfinished_calls(self) -> list[str]:
        """Implementation calls whose outcome is unknown (a stream the client left, say)."""
        return self._capture.unfinished

    def calls(self) -> list[Call]:
        """The implementation calls that have ended, in the order they were made."""
        return self._capture.calls()

    def exchange(self) -> Exchange:
        """The exchange as served so far (call it once the response is complete)."""
        request = ExchangeRequest.of(self.scope, b"".join(self.body))
        return Exchange(request, tuple(self._capture.calls()), self.response.response(self.raised))


async def replayed(app: ASGIApp, recorded: Exchange, limit: int = DEFAULT_BODY_LIMIT) -> Exchange:
    """The exchange `app` makes of `recorded`'s request, each implementation call answered from `recorded`'s calls."""
    replay = Replay(recorded.calls)
    with active(replay):
        response = await respond(app, recorded.request, limit)
    return Exchange(recorded.request, tuple(replay.calls), response)


async def respond(app: ASGIApp, request: ExchangeRequest, limit: int = DEFAULT_BODY_LIMIT) -> ExchangeResponse:
    """Run `app` on `request` in memory: its body, then a disconnect once the response is complete."""
    record = _ResponseRecord(limit)
    done = asyncio.Event()
    body_sent = False

    async def receive() -> Message:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        # A streaming response listens for a disconnect: one that came early would cut it short.
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        record.add(message)
        if record.complete:
            done.set()

    raised: BaseException | None = None
    try:
        await app(request.new_scope(), receive, send)
    except Exception as exc:
        raised = exc
    finally:
        done.set()
    return record.response(raised)
