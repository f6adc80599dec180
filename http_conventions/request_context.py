"""The per-request context an implementation can read: the user and provider data.

Clients send provider data as a JSON object in the `X-Provider-Data` header. An
implementation calls `current_request_context()`; it works inside streams too, because
`within_scope` re-enters the call's scope (this context, and a team's own from
`Conventions.context`) around every step of a streamed response.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from starlette.requests import HTTPConnection

PROVIDER_DATA_HEADER = "X-Provider-Data"

log = structlog.get_logger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RequestContext:
    """What an implementation may know about the request it serves."""

    user: Any = None
    provider_data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_connection(cls, conn: HTTPConnection) -> RequestContext:
        """Read the context from a request; a malformed header is ignored, as the old server did."""
        raw = conn.headers.get(PROVIDER_DATA_HEADER)
        provider_data: dict[str, Any] = {}
        if raw:
            try:
                parsed = json.loads(raw)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                provider_data = parsed
            else:
                log.warning("provider_data_ignored", reason=f"{PROVIDER_DATA_HEADER} is not a JSON object")
        return cls(user=conn.scope.get("user"), provider_data=provider_data)


_current: ContextVar[RequestContext] = ContextVar("request_context", default=RequestContext())  # noqa: B039


def current_request_context() -> RequestContext:
    """The context of the request being served (an empty one outside any request)."""
    return _current.get()


@contextmanager
def bound_request_context(context: RequestContext) -> Iterator[None]:
    """Make `context` current for the duration of the block."""
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


EnterScope = Callable[[], AbstractContextManager[Any]]
"""Enters everything an implementation call runs in (the request context, a team's own)."""


_scope: ContextVar[EnterScope | None] = ContextVar("request_scope", default=None)


def current_scope() -> EnterScope:
    """How to enter again the scope of the call being served, e.g. around each step of its stream."""
    scope = _scope.get()
    if scope is not None:
        return scope
    context = current_request_context()
    return lambda: bound_request_context(context)


@contextmanager
def bound_scope(enter: EnterScope) -> Iterator[None]:
    """Run the block inside `enter()`, which `current_scope` gives back for streams."""
    token = _scope.set(enter)
    try:
        with enter():
            yield
    finally:
        _scope.reset(token)


def within_context(context: RequestContext, items: AsyncIterator[T]) -> AsyncIterator[T]:
    """Iterate `items` with `context` current at every step (see `within_scope`)."""
    return within_scope(lambda: bound_request_context(context), items)


async def within_scope(enter: EnterScope, items: AsyncIterator[T]) -> AsyncIterator[T]:
    """Iterate `items` inside `enter()` at every step.

    A streamed response is iterated after the endpoint has returned and its context is
    gone; entering and leaving around each step keeps the context without leaking it.
    Closing the returned iterator closes `items`.
    """
    try:
        while True:
            with enter():
                try:
                    item = await anext(items)
                except StopAsyncIteration:
                    return
            yield item
    finally:
        # Closing this iterator (a client disconnect) must reach the one it wraps.
        aclose = getattr(items, "aclose", None)
        if aclose is not None:
            with enter():
                await aclose()
