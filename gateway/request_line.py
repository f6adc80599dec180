"""The one `request` log line per request (SPEC 7), written by the cheapest writer that gives the same line.

With JSON logs on a real file descriptor (what `gateway serve` runs with), the line skips
structlog's processor chain: the route's fields were serialised when its answer was made,
the strings a client chose are quoted by msgspec (measured against orjson and json.dumps)
into a fixed template, the timestamp reuses its date and time up to the second, and
`gateway.log_output` writes the lines of an event-loop turn together. The keys, values and
separators are those of structlog's `JSONRenderer` line (a test pins that; `duration_ms`
has the same value, trailing zeros aside); non-ASCII characters are written as UTF-8.
Elsewhere, the console format and a test's captured logs included, the line goes through
structlog like every other line.
"""

from __future__ import annotations

import json
import os
import time
from typing import Protocol

import msgspec
import structlog

from gateway.log_context import RequestContext
from gateway.log_output import LogOutput

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


_encode = msgspec.json.Encoder().encode
# structlog's JSONRenderer writes json.dumps's ", " and ": ", which people grep for (`"event": "request"`).
# `%.3f` writes the value of structlog's `round(ms, 3)` (trailing zeros aside) for less than half its cost.
# The timestamp is ISO 8601 UTC with microseconds, as structlog's `TimeStamper(fmt="iso", utc=True)` writes it.
_LINE = (
    b'{"event": "request", "level": "info", "pid": %d, %%b%%b"request_id": %%b, "method": %%b, "path": %%b, '
    b'"status": %%d, "duration_ms": %%.3f, "disconnected": %%b, "timestamp": "%%b%%06dZ"}\n'
)
_BOOLEANS = (b"false", b"true")


class JsonLines:
    """The JSON line into `output`, which writes the lines of a loop turn together, each line whole."""

    def __init__(self, output: LogOutput) -> None:
        self.output = output
        self._line = _LINE % os.getpid()
        self._second = -1
        self._date = b""

    def write(
        self, context: RequestContext, method: str | None, path: str | None, status: int, seconds: float, gone: bool
    ) -> None:
        second, micros = divmod(time.time_ns() // 1000, 1_000_000)
        if second != self._second:
            # Formatting a date costs more than the rest of the line: once a second is enough.
            self._second, self._date = second, time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second)).encode()
        bound = context.bound
        # msgspec quotes and escapes the strings a client chose (request id, method, path).
        self.output.write(
            self._line
            % (
                context.fields.json,
                json.dumps(bound)[1:-1].encode() + b", " if bound else b"",
                _encode(context.request_id),
                _encode(method),
                _encode(path),
                status,
                seconds * 1000,
                _BOOLEANS[gone],
                self._date,
                micros,
            )
        )


_in_force: RequestLines = StructlogLines()


def request_lines() -> RequestLines:
    """The writer in force."""
    return _in_force


def use_request_lines(lines: RequestLines) -> None:
    """Write every later request line with `lines` (`gateway.logs.configure_logging` chooses)."""
    global _in_force
    _in_force = lines
