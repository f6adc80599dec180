"""One exchange as one line of the recording format (SPEC 11, `"format": 1`).

Calls are written by their outcomes' own `as_data()`, so shadow and recording share one
shape. Bodies are text when they are UTF-8, else base64, and a response of server-sent
events is its list of `events` (each a `data` value, or its `[field, value]` pairs), as a
client reads them; headers keep their order and repeats, as `[name, value]` pairs, the
redacted ones' values replaced. `events` is part of format 1 from the start: lines that
hold a stream as its `body` (written before) still read and verify alike.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from proof.compare.bodies import SSE_MEDIA_TYPE, sse_body, sse_events
from proof.compare.exchange import Exchange

FORMAT = 1
"""The version of the line format: a reader refuses any other."""

REDACTED = "<redacted>"


def exchange_line(exchange: Exchange, api: str, route: str, redact: Collection[str], at: float) -> dict[str, Any]:
    """`exchange` of `route` of `api`, served at `at` (a Unix time), as a line; the headers named in `redact`
    (lower case) stored `<redacted>`."""
    scope = exchange.request.scope
    response = exchange.response
    return {
        "format": FORMAT,
        "at": datetime.fromtimestamp(at, UTC).isoformat(),
        "api": api,
        "route": route,
        "request": {
            "method": scope.get("method"),
            "path": scope.get("path"),
            "query": bytes(scope.get("query_string", b"")).decode("latin-1"),
            "headers": _headers(scope.get("headers", ()), redact),
            **_body(exchange.request.body),
        },
        "calls": [call.as_data() for call in exchange.calls],
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
