"""A team's own HTTP conventions, given once for the whole application and kept by both sides.

The error table, the request context and the server-wide middleware of the example server are
the defaults; a real `@webmethod` server has its own exception classes, its own context header
and context variable, its own middleware. The registering module states them once::

    conventions = Conventions(
        errors=[ErrorEntry("book-missing", BookMissing, 404), ErrorEntry("taken", ShelfTaken, 409)],
        context=tenant_context,           # request -> context manager, entered around every call
        result_hook=fill_page_url,        # (result, route template) -> result
        middleware=[Middleware(RequireClientVersion, minimum="2.0")],
    )
    registry = ApiRegistry(conventions=conventions)

The registry installs them on both apps of every API (`install`), so a flip never changes
which conventions apply. Every request then runs with them current (`current_conventions`):
the error table is the team's entries, then the built-in ones; the context hook is entered
around each implementation call and around every step of a stream; the result hook sees
every result that is not a stream.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from http_conventions.error_table import ERROR_TABLE, ErrorEntry

ContextHook = Callable[[HTTPConnection], AbstractContextManager[Any]]
"""Given the request, a context manager that sets the team's own context for the call."""
ResultHook = Callable[[Any, str], Any]
"""Given an implementation's result and the route template it answers, the result to send."""


class ConventionsError(ValueError):
    """`Conventions` were given something they cannot use; the message names the entry at fault."""


def _raised_classes(entry: ErrorEntry) -> tuple[Any, ...]:
    if isinstance(entry.raised, tuple):
        return entry.raised
    return (entry.raised,) if isinstance(entry.raised, type) or not callable(entry.raised) else ()


def _checked_errors(errors: Sequence[ErrorEntry]) -> tuple[ErrorEntry, ...]:
    seen: dict[type[BaseException], str] = {}
    for position, entry in enumerate(errors):
        if not isinstance(entry, ErrorEntry):
            raise ConventionsError(f"Conventions errors[{position}] must be an ErrorEntry, not {entry!r}")
        for raised in _raised_classes(entry):
            if not (isinstance(raised, type) and issubclass(raised, BaseException)):
                raise ConventionsError(
                    f"Conventions errors[{position}] ({entry.id!r}) names {raised!r}, which is not an exception class"
                )
            if raised in seen:
                raise ConventionsError(
                    f"Conventions errors[{position}] ({entry.id!r}) answers {raised.__name__}, "
                    f"which entry {seen[raised]!r} already answers; keep one"
                )
            seen[raised] = entry.id
    return tuple(errors)


def _is_asgi_app_class(cls: Any) -> bool:
    call = getattr(cls, "__call__", None)  # noqa: B004  # the class's own method, not whether it is callable
    if not (isinstance(cls, type) and inspect.iscoroutinefunction(call)):
        return False
    parameters = list(inspect.signature(call).parameters.values())[1:]
    return len(parameters) == 3 and all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def _checked_middleware(middleware: Sequence[Middleware | type]) -> tuple[Middleware, ...]:
    checked: list[Middleware] = []
    for position, item in enumerate(middleware):
        # Any: Starlette types its factories by call signature, which a class checked below has.
        given: Any = item
        entry = given if isinstance(given, Middleware) else Middleware(given)
        if not _is_asgi_app_class(entry.cls):
            raise ConventionsError(
                f"Conventions middleware[{position}] is {entry.cls!r}, which is not ASGI middleware: give a class "
                "built with the app (`cls(app, ...)`) with `async def __call__(self, scope, receive, send)`"
            )
        checked.append(entry)
    return tuple(checked)


@dataclass(frozen=True)
class Conventions:
    """The conventions every API of an application keeps, on both sides.

    `errors` are checked before the built-in table (`ERROR_TABLE`), in order; `context` is
    entered around every implementation call and every step of its stream; `result_hook`
    maps every result that is not a stream; `middleware` (Starlette `Middleware`, or a class
    taking the app) runs around every route of both sides, the first given outermost.
    """

    errors: Sequence[ErrorEntry] = ()
    context: ContextHook | None = None
    result_hook: ResultHook | None = None
    middleware: Sequence[Middleware | type] = ()
    error_table: tuple[ErrorEntry, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "errors", _checked_errors(self.errors))
        object.__setattr__(self, "middleware", _checked_middleware(self.middleware))
        for name in ("context", "result_hook"):
            hook = getattr(self, name)
            if hook is not None and not callable(hook):
                raise ConventionsError(f"Conventions {name} must be callable, not {hook!r}")
        object.__setattr__(self, "error_table", (*self.errors, *ERROR_TABLE))

    def finished(self, result: Any, route: str) -> Any:
        """`result` as the result hook leaves it (unchanged without one)."""
        return result if self.result_hook is None else self.result_hook(result, route)

    def install(self, app: Starlette) -> Starlette:
        """Serve every request of `app` with these conventions current and inside their middleware.

        Conventions that are the defaults leave `app` as it is: the defaults are already current
        outside any app, and a layer per request would cost every API that keeps them.
        """
        if self == DEFAULT_CONVENTIONS:
            return app
        for entry in reversed(tuple(self.middleware)):
            assert isinstance(entry, Middleware)
            app.add_middleware(entry.cls, *entry.args, **entry.kwargs)
        app.add_middleware(_Current, conventions=self)
        return app


DEFAULT_CONVENTIONS = Conventions()
"""The example server's conventions: the built-in error table, no hooks, no middleware."""

_current: ContextVar[Conventions] = ContextVar("conventions", default=DEFAULT_CONVENTIONS)


def current_conventions() -> Conventions:
    """The conventions of the app serving the current request (the defaults outside one)."""
    return _current.get()


@contextmanager
def conventions_in_force(conventions: Conventions) -> Iterator[None]:
    """Make `conventions` current for the duration of the block."""
    token = _current.set(conventions)
    try:
        yield
    finally:
        _current.reset(token)


class _Current:
    """Makes the app's conventions current for the whole request, its streamed body included."""

    def __init__(self, app: ASGIApp, conventions: Conventions) -> None:
        self.app = app
        self.conventions = conventions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with conventions_in_force(self.conventions):
            await self.app(scope, receive, send)
