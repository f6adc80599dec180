"""Migrated routers that answer like the legacy server without per-router care.

Write a router the obvious way, with `ConventionRouter` in place of `APIRouter`, and
serve it with `create_router_app`::

    router = ConventionRouter()

    @router.get("/v1/models/{model_id:path}", summary="Retrieve a model.", responses=standard_responses)
    async def get_model(model_id: str, service: Annotated[ModelsService, Depends(implementation)]) -> Model:
        return await service.get_model(model_id)

    app = create_router_app(router, ModelsImplementation(...), title="models")

What comes for free, with the application's `Conventions` (given once to the registry):
the request context, and the team's own, is bound around each endpoint (and carried into
streams made with `sse_response`); an exception raised by an endpoint is answered through
the error table (the team's entries first) as ``{"detail": ...}``; what an endpoint returns
goes through the result hook; request validation answers 400 in
the legacy envelope, not FastAPI's 422, and so does a body that cannot be parsed; a large
JSON body is parsed without holding the event loop; a body without Content-Type is read as JSON;
bodies over `max_body_size` get 413; responses are not filtered through a response model.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.datastructures import DefaultPlaceholder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRouter
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import Response, StreamingResponse

from http_conventions.app import create_conventional_app
from http_conventions.body_parsing import BodyParsingRoute
from http_conventions.conventions import current_conventions
from http_conventions.endpoint_call import endpoint_call, served_signature
from http_conventions.errors import ErrorDetail, ErrorEnvelope
from http_conventions.openapi import VALIDATION_RESPONSE_DESCRIPTION, documented_responses

# An endpoint may raise these on purpose; they are answered as raised.
_RAISED_ON_PURPOSE = (HTTPException, RequestValidationError)
_WRAPPED_MARK = "__http_conventions_route__"


def _finished(result: Any, path: str) -> Any:
    # A stream's items are framed already; the result hook sees results, as on the legacy side.
    return result if isinstance(result, StreamingResponse) else current_conventions().finished(result, path)


def _conventional(endpoint: Callable[..., Any], path: str, methods: set[str]) -> Callable[..., Any]:
    """Wrap an endpoint so that it runs in the request context and its errors follow the table."""
    method = ",".join(sorted(methods))
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with endpoint_call(kwargs, path, method, keep=_RAISED_ON_PURPOSE):
                return _finished(await endpoint(*args, **kwargs), path)

        wrapped: Callable[..., Any] = run_async
    else:

        @functools.wraps(endpoint)
        def run_sync(*args: Any, **kwargs: Any) -> Any:
            with endpoint_call(kwargs, path, method, keep=_RAISED_ON_PURPOSE):
                return _finished(endpoint(*args, **kwargs), path)

        wrapped = run_sync
    # The endpoint's own parameters stay as written; the request is added for the context.
    wrapped.__signature__ = served_signature(inspect.signature(endpoint).parameters.values())  # type: ignore[attr-defined]
    return wrapped


class EmbeddedFields(BaseModel):
    """A request body whose fields the legacy server took as separate embedded parameters.

    Derive a router's request model from it where its legacy twin had one parameter per
    field: a request with no body then fails field by field (loc ``["body", "<field>"]``)
    as the legacy route did, instead of once for the whole body (loc ``["body"]``).
    """


class ConventionRoute(BodyParsingRoute):
    """A route whose endpoint runs in the request context and answers errors by the table.

    It reads its body as every route of these apps does (`BodyParsingRoute`).
    The response model (given, or the return annotation) documents the response without
    filtering it: the legacy server sent every field of what the implementation returned.
    """

    def build(self, path: str, endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        kwargs = dict(kwargs)
        if not getattr(endpoint, _WRAPPED_MARK, False):
            # include_router builds the route again from the wrapped endpoint; wrap once.
            methods = set(kwargs.get("methods") or {"GET"})
            model = kwargs.get("response_model")
            if isinstance(model, DefaultPlaceholder):
                model = typing.get_type_hints(endpoint).get("return")
            kwargs["responses"] = documented_responses(model, kwargs.get("responses"), kwargs.get("status_code") or 200)
            endpoint = _conventional(endpoint, path, methods)
            setattr(endpoint, _WRAPPED_MARK, True)
        kwargs["response_model"] = None
        if kwargs.get("status_code") == 204:
            # An empty answer carries no content type, as the legacy server's did.
            kwargs["response_class"] = Response
        super().build(path, endpoint, kwargs)

    async def read_json_body(self, body: bytes) -> tuple[bytes, Any]:
        model = self.body_field.field_info.annotation if self.body_field else None
        if not (isinstance(model, type) and issubclass(model, EmbeddedFields)):
            return await super().read_json_body(body)
        # Read as {}, a missing body fails field by field, as the embedded fields did.
        body, parsed = await super().read_json_body(body or b"{}")
        if not isinstance(parsed, dict):
            # Embedded fields found none of their names in a body that is no object.
            raise RequestValidationError(
                [
                    {"type": "missing", "loc": ("body", name), "msg": "Field required", "input": None}
                    for name in model.model_fields
                ]
            )
        return body, parsed


class ConventionRouter(APIRouter):
    """An `APIRouter` whose routes are `ConventionRoute`s."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", ConventionRoute)
        # The legacy server read a body without a Content-Type header as JSON.
        kwargs.setdefault("strict_content_type", False)
        super().__init__(**kwargs)


standard_responses: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorEnvelope, "description": VALIDATION_RESPONSE_DESCRIPTION},
    404: {"model": ErrorDetail, "description": "The resource does not exist."},
    500: {"model": ErrorDetail, "description": "An unexpected error."},
}
"""Error responses to document on every migrated route (`responses=standard_responses`)."""


async def implementation(request: Request) -> Any:
    """The implementation object of the app serving the request; use it with `Depends`.

    A coroutine, so FastAPI calls it inline: a plain function would cost every request a
    hop through the thread pool.
    """
    return request.app.state.implementation


def create_router_app(
    router: APIRouter,
    implementation: object,
    *,
    title: str,
    version: str = "0.1.0",
    max_body_size: int | None = None,
) -> FastAPI:
    """Serve `router` over `implementation` with the legacy server's HTTP conventions."""
    app = create_conventional_app(title=title, version=version, max_body_size=max_body_size, routes=router.routes)
    app.state.implementation = implementation
    return app
