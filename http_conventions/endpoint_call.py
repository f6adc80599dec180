"""Running an endpoint as both sides must: in its request's context, errors by the table.

The legacy adapter and the router infrastructure serve endpoints whose signature gains
the request under a name no endpoint uses (`served_signature`); `endpoint_call` takes it
back out, binds the request context, and answers any exception through the error table.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request

from http_conventions.conventions import current_conventions
from http_conventions.errors import answer_failure
from http_conventions.request_context import EnterScope, RequestContext, bound_request_context, bound_scope

REQUEST_PARAMETER = "http_conventions_request"


def served_signature(parameters: Iterable[inspect.Parameter]) -> inspect.Signature:
    """The signature to serve: `parameters`, keyword-only, plus the request."""
    request = inspect.Parameter(REQUEST_PARAMETER, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
    return inspect.Signature([*(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in parameters), request])


def _call_scope(request: Request) -> EnterScope:
    """The request context, then the team's own (`Conventions.context`), entered anew each time."""
    context = RequestContext.from_connection(request)
    hook = current_conventions().context
    if hook is None:
        return lambda: bound_request_context(context)

    @contextmanager
    def enter() -> Iterator[None]:
        with bound_request_context(context), hook(request):
            yield

    return enter


@contextmanager
def endpoint_call(
    arguments: dict[str, Any], route: str, method: str, *, keep: tuple[type[Exception], ...] = ()
) -> Iterator[None]:
    """Run the block as the endpoint of `arguments`' request; exceptions in `keep` pass untranslated.

    Pops the request `served_signature` added, so `arguments` are the endpoint's own.
    """
    request: Request = arguments.pop(REQUEST_PARAMETER)
    with bound_scope(_call_scope(request)):
        try:
            yield
        except keep:
            raise
        except Exception as exc:
            raise answer_failure("endpoint_error", exc, route=route, method=method) from exc
