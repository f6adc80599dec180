"""One exchange as one line of the recording format (SPEC 11, `"format": 1`), in the writer process.

The exchange comes as the worker encoded it (`proof.record.frame`). Calls' outcomes are
as their own `as_data()` makes them, so shadow and recording share one shape. Bodies are
text when they are UTF-8, else base64, and a response of server-sent events is its list
of `events` (each a `data` value, or its `[field, value]` pairs), as a client reads them;
headers keep their order and repeats, as `[name, value]` pairs, the redacted ones' values
replaced. `events` is part of format 1 from the start: lines that
hold a stream as its `body` (written before) still read and verify alike.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from proof.compare.bodies import SSE_MEDIA_TYPE, sse_body, sse_events
from proof.compare.exchange import ExchangeResponse
from proof.record.frame import Frame

FORMAT = 1
"""The version of the line format: a reader refuses any other."""

REDACTED = "<redacted>"


def exchange_line(frame: Frame, redact: Collection[str]) -> dict[str, Any]:
    """The exchange `frame` holds as a line; the headers named in `redact` (lower case) stored `<redacted>`."""
    response = ExchangeResponse(frame.status, tuple(frame.response_headers), b"".join(frame.response_body), True)
    return {
        "format": FORMAT,
        "at": datetime.fromtimestamp(frame.at, UTC).isoformat(),
        "api": frame.api,
        "route": frame.route,
        "request": {
            "method": frame.method,
            "path": frame.path,
            "query": frame.query.decode("latin-1"),
            "headers": _headers(frame.headers, redact),
            **_body(b"".join(frame.body)),
        },
        "calls": [{"method": call.method, "args": call.bound(), "outcome": call.outcome} for call in frame.calls],
        "response": {
            "status": response.status,
            "headers": _headers(response.headers, redact),
            **(_events(response.body) if response.media_type == SSE_MEDIA_TYPE else _body(response.body)),
        },
    }


def _headers(headers: Iterable[tuple[bytes, bytes]], redact: Collection[str]) -> list[list[str]]:
    pairs = [(name.decode("latin-1").lower(), value) for name, value in headers]
    return [[name, REDACTED if name in redact else value.decode("latin-1")] for name, value in pairs]


def _events(body: bytes) -> dict[str, Any]:
    """A stream as its events, when they give its events back (else its body), so verify compares them one by one."""
    events = sse_events(body)
    if sse_events(sse_body(events)) == events:
        return {"events": events}
    return _body(body)


def _body(body: bytes) -> dict[str, str]:
    try:
        return {"body": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_b64": base64.b64encode(body).decode("ascii")}
