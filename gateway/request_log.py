"""The two headers and the one `request` log line of every response the gateway gives.

Whatever answers, an API's side, the gateway's own 404 and 405, the admin surface or the
docs, the response carries `x-request-id` and `x-gateway-backend`, and one
`event="request"` line is written once the response is done (a stream included), saying
`"disconnected": true` when the client left before the end.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.log_context import REQUEST, LineFields, RequestContext
from gateway.modes import BACKENDS, GATEWAY, Backend, Mode
from gateway.request_line import request_lines

log = structlog.get_logger("gateway.request")

REQUEST_ID_HEADER = "x-request-id"
BACKEND_HEADER = "x-gateway-backend"
MAX_REQUEST_ID_LENGTH = 128

_REQUEST_ID_HEADER = REQUEST_ID_HEADER.encode()
# An incoming id is echoed in a header and written to the log: printable ASCII of a sane length only.
_SANE_REQUEST_ID = re.compile(rb"[\x20-\x7e]{1,%d}" % MAX_REQUEST_ID_LENGTH)
BACKEND_HEADERS = {name: (BACKEND_HEADER.encode(), name.encode()) for name in BACKENDS}
_INTERNAL_ERROR = {"error": {"detail": "Internal server error: An unexpected error occurred."}}

Done = Callable[[int, float], None]
"""Called with the status and the seconds taken once a request is answered."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The app that answers a request, and what its headers and request line say about it."""

    app: ASGIApp
    backend: Backend
    reason: str | None = None
    """Why this side answers: the flag that chose it (`route`, `api`, `default`), or `header` when forced."""
    api: str | None = None
    route: str | None = None
    """The route template."""
    done: Done | None = None
    mode: Mode | None = None
    """The route's mode in force (null when the gateway answers itself)."""
    fields: LineFields = field(init=False, repr=False, compare=False)
    """The request line's fields of this answer, made with it (once per route and flags snapshot)."""
    backend_header: tuple[bytes, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", LineFields(self.backend, self.api, self.route, self.reason, self.mode))
        object.__setattr__(self, "backend_header", BACKEND_HEADERS[self.backend])


class _RequestIds:
    """New request ids: 128 random bits each, as a uuid4 has, drawn from the OS and formatted 256 at a time."""

    _BATCH = 256

    def __init__(self) -> None:
        self._ready: list[str] = []
        # A forked child must not hand out the ids its parent had ready.
        os.register_at_fork(after_in_child=self._drop)

    def _drop(self) -> None:
        self._ready = []

    def new(self) -> str:
        try:
            return self._ready.pop()
        except IndexError:
            digits = os.urandom(16 * self._BATCH).hex()
            self._ready = [digits[start : start + 32] for start in range(0, len(digits), 32)]
            return self._ready.pop()


new_request_id = _RequestIds().new


def request_id(scope: Scope) -> str:
    """The caller's `x-request-id` if it is 1-128 printable ASCII characters, else a new id."""
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_HEADER:
            return str(value.decode("ascii")) if _SANE_REQUEST_ID.fullmatch(value) else new_request_id()
    return new_request_id()


class _Exchange(RequestContext):
    """One request on its way through `RequestLog.serve`: its context, and the `send` and `receive` its app is given.

    One object per request holds what closures and their cells held, and is the request context as well.
    """

    __slots__ = ("_backend_header", "_receive", "_send", "complete", "disconnected", "status")

    def __init__(self, request_id: str, answer: Answer, receive: Receive, send: Send) -> None:
        self.request_id = request_id
        self.fields = answer.fields
        self.bound = None
        self._backend_header = answer.backend_header
        self._receive = receive
        self._send = send
        self.status = 0
        self.complete = self.disconnected = False

    def send(self, message: Message) -> Awaitable[None]:
        # A plain function returning `send`'s awaitable: one coroutine less per body chunk.
        if message["type"] == "http.response.start":
            self.status = message["status"]
            # A copy: an app may send the same message dict (and headers list) every time.
            headers = [
                *message.get("headers", ()),
                self._backend_header,
                (_REQUEST_ID_HEADER, self.request_id.encode()),
            ]
            message = {**message}
            message["headers"] = headers
        elif not message.get("more_body", False):
            self.complete = True
        return self._send(message)

    async def receive(self) -> Message:
        message = await self._receive()
        # Servers also answer `http.disconnect` once the response is complete; that is no disconnect.
        if message["type"] == "http.disconnect" and not self.complete:
            self.disconnected = True
        return message


class RequestLog:
    """Serve requests through ASGI apps with the gateway's headers and request line.

    ::

        request_log = RequestLog()
        await request_log.serve(Answer(app, "migrated", api="models", ...), scope, receive, send)
    """

    def __init__(self) -> None:
        self.last_started = 0.0
        """When the latest request came in (`time.perf_counter()`): work off the clients' path waits for a lull."""

    async def serve(self, answer: Answer, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer with `answer.app`; an exception before the response starts becomes the unhandled-error 500."""
        started = self.last_started = time.perf_counter()
        exchange = _Exchange(request_id(scope), answer, receive, send)
        entered = REQUEST.set(exchange)
        try:
            await answer.app(scope, exchange.receive, exchange.send)
        except Exception:
            log.exception("request_failed")
            if not exchange.status:
                # Never a reset connection: the client gets the unhandled-error answer.
                await JSONResponse(_INTERNAL_ERROR, status_code=500)(scope, receive, exchange.send)
        finally:
            seconds = time.perf_counter() - started
            status = exchange.status or 500
            if answer.done is not None:
                answer.done(status, seconds)
            request_lines().write(exchange, scope["method"], scope["path"], status, seconds, exchange.disconnected)
            REQUEST.reset(entered)


class AnsweredByGateway:
    """An app that is part of the gateway itself (admin, docs): its responses get the headers and the line."""

    def __init__(self, app: ASGIApp, request_log: RequestLog) -> None:
        self.app = app
        self.request_log = request_log
        self._answer = Answer(app, GATEWAY)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.request_log.serve(self._answer, scope, receive, send)
        else:
            await self.app(scope, receive, send)
