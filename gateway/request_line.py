"""The one `request` log line per request (SPEC 7), written by the cheapest writer that gives the same line.

With JSON logs on a real file descriptor (what `gateway serve` runs with), the line skips
structlog's processor chain: the route's fields were serialised when its answer was made,
the per-request ones are a msgspec struct (the fastest of orjson and msgspec, dict or
struct, measured), the timestamp reuses its date and time up to the second, and one
`os.write` puts the line out. The keys and values are those of structlog's
`JSONRenderer` line (a test pins that). Elsewhere, the console format and a test's captured
logs included, the line goes through structlog like every other line.
"""

from __future__ import annotations

import os
import time
from typing import Protocol

import msgspec
import structlog

from gateway.log_context import RequestContext

log = structlog.get_logger("gateway.request")


class RequestLines(Protocol):
    def write(
        self, context: RequestContext, method: str | None, path: str | None, status: int, seconds: float, gone: bool
    ) -> None:
        """The request line of `context`; `gone` when the client left before the response was complete."""


class StructlogLines:
    """The line through structlog's configured chain (console format, captured logs)."""

    def write(
        self, context: RequestContext, method: str | None, path: str | None, status: int, seconds: float, gone: bool
    ) -> None:
        fields = context.fields
        log.info(
            "request",
            request_id=context.request_id,
            api=fields.api,
            route=fields.route,
            backend=fields.backend,
            method=method,
            path=path,
            reason=fields.reason,
            status=status,
            duration_ms=round(seconds * 1000, 3),
            pid=os.getpid(),
            disconnected=gone,
            mode=fields.mode,
            **(context.bound or {}),
        )


class UtcClock:
    """ISO 8601 UTC timestamps with microseconds, as structlog's `TimeStamper(fmt="iso", utc=True)` writes them."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        micros = time.time_ns() // 1000
        second = micros // 1_000_000
        if second != self._second:
            # Formatting a date costs more than the rest of the line: once a second is enough.
            self._second, self._prefix = second, time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second))
        # The last six digits of the microseconds since the epoch: this second's, zero-padded.
        return f"{self._prefix}{str(micros)[-6:]}Z"


class _PerRequest(msgspec.Struct, gc=False):
    """The members of the request line that change with every request, in the order they are written."""

    request_id: str
    method: str | None
    path: str | None
    status: int
    duration_ms: float
    disconnected: bool
    timestamp: str


_encode = msgspec.json.Encoder().encode


class JsonLines:
    """The JSON line straight to file descriptor `fd`, each line one write (so lines of workers never interleave)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._head = b'{"event":"request","level":"info","pid":%d,' % os.getpid()
        self._clock = UtcClock()

    def write(
        self, context: RequestContext, method: str | None, path: str | None, status: int, seconds: float, gone: bool
    ) -> None:
        members = _PerRequest(
            context.request_id, method, path, status, round(seconds * 1000, 3), gone, self._clock.now()
        )
        bound = _encode(context.bound)[1:-1] + b"," if context.bound else b""
        line = b"".join((self._head, context.fields.json, bound, _encode(members)[1:], b"\n"))
        written = os.write(self.fd, line)
        while written < len(line):
            # A blocking write is whole unless a signal interrupts it part-way.
            line = line[written:]
            written = os.write(self.fd, line)


_in_force: RequestLines = StructlogLines()


def request_lines() -> RequestLines:
    """The writer in force."""
    return _in_force


def use_request_lines(lines: RequestLines) -> None:
    """Write every later request line with `lines` (`gateway.logs.configure_logging` chooses)."""
    global _in_force
    _in_force = lines
