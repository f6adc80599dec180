"""The HTTP/1.1 protocol the gateway listens with: uvicorn's httptools protocol and what it lacks.

uvicorn[standard] serves HTTP/1.1 with httptools (llhttp). That enforces no limit on a
request's head and no deadline for it, and frames a response of unknown length as
chunked even for an HTTP/1.0 client, which does not know chunking. This protocol adds:

* a head (request line and headers) over `max_header_size` bytes is answered 431 and the
  connection closed; the bytes are counted as they arrive, so a huge head is never held;
* a connection that has not sent a complete head within `header_timeout` seconds (of its
  start, or of the first byte of its next request) is closed;
* a response of unknown length to an HTTP/1.0 client is sent close-delimited
  (RFC 9112, 6.3): the body as it comes, then the connection closes.

(uvicorn's h11 protocol has the first as `h11_max_incomplete_event_size`, answered with a
plain-text 400, and frames HTTP/1.0 right; it is pure Python, and has no head deadline either.)
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from typing import Any, cast

import structlog
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from gateway.log_context import LineFields, RequestContext
from gateway.modes import GATEWAY
from gateway.request_line import request_lines
from gateway.request_log import BACKEND_HEADERS, REQUEST_ID_HEADER, new_request_id
from gateway.settings import ServerSettings

log = structlog.get_logger("gateway.http")

_TOO_LARGE_STATUS = b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
_REFUSED_HEAD = LineFields(GATEWAY)
_TOO_LARGE_BODY = json.dumps({"detail": "Request Header Fields Too Large"}, separators=(",", ":")).encode()
# ": " and CRLF around every header line.
_HEADER_LINE_OVERHEAD = 4


class _HeadTooLarge(Exception):
    """Raised in a parser callback to stop parsing a head over the limit."""


def _head_size(url: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    return len(url) + sum(len(name) + len(value) + _HEADER_LINE_OVERHEAD for name, value in headers)


def _send_close_delimited(cycle: RequestResponseCycle) -> None:
    """Make `cycle` send a response of unknown length as bytes ended by closing the connection.

    uvicorn closes an HTTP/1.0 connection after every response; it only has to be kept
    from choosing chunked, and from counting the body against a length never declared.
    """
    send = cycle.send
    unframed = False

    async def send_close_delimited(message: Any) -> None:
        nonlocal unframed
        if message["type"] == "http.response.start":
            unframed = all(name.lower() != b"content-length" for name, _ in message.get("headers", ()))
            if unframed:
                cycle.chunked_encoding = False
        elif unframed and message["type"] == "http.response.body":
            cycle.expected_content_length = len(message.get("body", b""))
        await send(message)

    # run_asgi looks `send` up when the task first runs, which is after this.
    cycle.send = send_close_delimited  # type: ignore[method-assign]


class GatewayHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head size limit, a head deadline and HTTP/1.0 framing."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        max_header_size: int,
        header_timeout: float,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.max_header_size = max_header_size
        self.header_timeout = header_timeout
        # Between the first byte of a request (or the connection's start) and the end of its head.
        self._in_head = False
        self._head_started = 0.0
        self._head_deadline: asyncio.TimerHandle | None = None
        # Bytes of the chunks that ended inside the current head, and the size of the chunk being parsed:
        # their sum bounds the head's size from above.
        self._head_bytes = 0
        self._chunk_bytes = 0
        self._head_too_large = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A client that connects and sends nothing is held to the deadline too.
        self._begin_head()
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._end_head()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._chunk_bytes = len(data)
        super().data_received(data)
        if self._in_head and not self.transport.is_closing():
            # The head is still incomplete, so the chunk was part of it (with pipelining, the chunk may
            # also end the previous request: an overcount, never an undercount).
            self._head_bytes += len(data)
            if self._head_bytes > self.max_header_size:
                self._refuse_head()
            elif self._head_deadline is None:
                # Armed only for a head that spans chunks: most arrive whole, and need no timer.
                self._arm_head_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:
            self._begin_head()

    def on_headers_complete(self) -> None:
        within_limit = self._head_bytes + self._chunk_bytes <= self.max_header_size
        self._end_head()
        if not within_limit and _head_size(self.url, self.headers) > self.max_header_size:
            self._head_too_large = True
            # Stops the parser; uvicorn then answers the error through send_400_response.
            raise _HeadTooLarge
        super().on_headers_complete()
        cycle: RequestResponseCycle | None = self.cycle
        # No new cycle when the request upgrades the connection.
        if self.scope["http_version"] == "1.0" and cycle is not None and cycle.scope is self.scope:
            _send_close_delimited(cycle)

    def send_400_response(self, msg: str) -> None:
        if self._head_too_large:
            self._refuse_head()
        else:
            super().send_400_response(msg)

    def _begin_head(self) -> None:
        self._in_head = True
        self._head_started = time.perf_counter()

    def _arm_head_deadline(self) -> None:
        remaining = self.header_timeout - (time.perf_counter() - self._head_started)
        self._head_deadline = self.loop.call_later(max(remaining, 0.0), self._head_timed_out)

    def _end_head(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            log.info("header_timeout", client=self.client[0] if self.client else None, timeout_s=self.header_timeout)
            self.transport.close()

    def _refuse_head(self) -> None:
        """Answer 431 with the gateway's headers and request line, and close the connection."""
        seconds = time.perf_counter() - self._head_started
        self._end_head()
        request_id = new_request_id()
        headers = [
            *self.server_state.default_headers,
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_TOO_LARGE_BODY)).encode()),
            (b"connection", b"close"),
            BACKEND_HEADERS[GATEWAY],
            (REQUEST_ID_HEADER.encode(), request_id.encode()),
        ]
        head = b"".join(b"%s: %s\r\n" % header for header in headers)
        self.transport.write(_TOO_LARGE_STATUS + head + b"\r\n" + _TOO_LARGE_BODY)
        self.transport.close()
        # Neither the method nor the path of a refused head is trusted, or logged.
        request_lines().write(RequestContext(request_id, _REFUSED_HEAD), None, None, 431, seconds, False)


def http_protocol(settings: ServerSettings) -> type[asyncio.Protocol]:
    """What `uvicorn.run(http=...)` takes: the gateway's protocol with the limits of `settings`.

    A partial, so that it pickles into every worker process with the limits bound.
    """
    factory = functools.partial(
        GatewayHttpProtocol, max_header_size=settings.max_header_size, header_timeout=settings.header_timeout
    )
    # uvicorn calls whatever it is given with the connection's arguments, as it calls a class.
    return cast("type[asyncio.Protocol]", factory)
