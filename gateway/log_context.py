"""What every log line written during a request carries: its id, API, route and backend, and what was bound since.

The request log sets one context variable per request, holding the request's id and the
fields its answer was made with (serialised once per route and flags snapshot); the
`merge_request_context` processor adds them to every structlog line written meanwhile.
One `ContextVar.set` per request replaces clearing and binding four structlog variables.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import structlog

from gateway.modes import Backend, Mode


@dataclass(frozen=True, slots=True)
class LineFields:
    """Who answered a request, as its request line says it; `json` is made once, not per request."""

    backend: Backend
    api: str | None = None
    route: str | None = None
    """The route template."""
    reason: str | None = None
    mode: Mode | None = None
    json: bytes = field(init=False, repr=False, compare=False)
    """The fields as JSON object members, each followed by ", ": spliced into the request line."""

    def __post_init__(self) -> None:
        members = {"api": self.api, "route": self.route, "backend": self.backend}
        members |= {"reason": self.reason, "mode": self.mode}
        object.__setattr__(self, "json", json.dumps(members)[1:-1].encode() + b", ")


@dataclass(slots=True)
class RequestContext:
    """The request being answered: its id, who answers it, and fields bound while it runs (`user`)."""

    request_id: str
    fields: LineFields
    bound: dict[str, Any] | None = None


REQUEST: ContextVar[RequestContext | None] = ContextVar("gateway_request", default=None)
"""The request the running task answers, if any: the request log sets it (and resets it) around each request."""


def current_request() -> RequestContext | None:
    """The request the running task answers, if any."""
    return REQUEST.get()


def bind_to_request(**fields: Any) -> None:
    """Add `fields` to the request line and to every line written for the rest of the request."""
    context = REQUEST.get()
    if context is not None:
        context.bound = {**(context.bound or {}), **fields}


def merge_request_context(
    logger: structlog.typing.WrappedLogger, method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """A structlog processor: the running request's id, API, route and backend (and its bound fields)."""
    context = REQUEST.get()
    if context is None:
        return event
    fields = context.fields
    merged: structlog.typing.EventDict = {
        "request_id": context.request_id,
        "api": fields.api,
        "route": fields.route,
        "backend": fields.backend,
        **(context.bound or {}),
    }
    merged.update(event)
    return merged
