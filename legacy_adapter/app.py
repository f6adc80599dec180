"""Building the ASGI app that serves a webmethod protocol exactly as the old server did."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.responses import Response

from http_conventions import SSE_MEDIA_TYPE, create_conventional_app, declared_auth
from http_conventions.body_parsing import BodyParsingRoute
from http_conventions.openapi import documented_responses
from legacy_adapter.discovery import WebRoute
from legacy_adapter.endpoint import LegacyEndpoint
from legacy_adapter.openapi import document_from_docstrings
from legacy_adapter.protocols import Nested, Protocols, declared_routes, implementation_method

DECLARED_ROUTES = "declared_routes"
"""The `app.state` attribute holding the routes a legacy app serves, for tools that read them."""


def stream_argument(method: Any) -> str | None:
    """The argument that switches a call to a stream: ``stream``, ``params`` (its `stream` field), or none.

    The same arguments `is_streaming_call` reads when the route is called.
    """
    hints = typing.get_type_hints(method)
    if "stream" in hints:
        return "stream"
    params = hints.get("params")
    if isinstance(params, type) and issubclass(params, BaseModel) and "stream" in params.model_fields:
        return "params"
    return None


def documented(method: Any, route: WebRoute) -> dict[str, Any]:
    """What the route serves, for its OpenAPI operation: the document must say what clients get."""
    returned = typing.get_type_hints(method).get("return")
    if returned is type(None) and route.method == "DELETE":
        return {"status_code": 204}
    if isinstance(returned, type) and issubclass(returned, Response):
        # The implementation builds the response itself: its media type is its own, not JSON.
        return {"response_class": returned}
    streamed: dict[int | str, Any] | None = (
        {200: {"content": {SSE_MEDIA_TYPE: {}}}} if stream_argument(method) else None
    )
    responses = documented_responses(returned, streamed)
    return {"responses": responses} if responses else {}


class LegacyRoute(BodyParsingRoute):
    """A legacy app's route: what it documents is read from the implementation method when it is built."""

    def build(self, path: str, endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        assert isinstance(endpoint, LegacyEndpoint), "a LegacyRoute serves a LegacyEndpoint"
        super().build(path, endpoint, {**kwargs, **documented(endpoint.method, endpoint.route)})


def _title(protocols: Protocols) -> str:
    first = protocols if isinstance(protocols, type | Nested) else next(iter(protocols), None)
    if isinstance(first, Nested):
        return first.protocol.__name__
    return first.__name__ if isinstance(first, type) else "legacy"


def create_legacy_app(
    protocols: Protocols,
    implementation: object,
    *,
    title: str | None = None,
    version: str = "0.1.0",
    max_body_size: int | None = None,
) -> FastAPI:
    """Serve `implementation` on the routes `protocols` declare with `@webmethod`.

    `protocols` is one protocol class or a list of them; `Nested("rag_tool", RAGToolRuntime)`
    serves a protocol from an attribute of the implementation. A protocol without routes
    serves nothing. Every route must have a method on the implementation, else
    `ImplementationError` names the API (`title`), protocol, method and the closest name.
    The app has no docs routes of its own; its document is `app.openapi()`::

        app = create_legacy_app(ModelsApi, ModelsImpl(...), max_body_size=100 * 2**20)
    """
    routes = declared_routes(protocols)
    title = title or _title(protocols)
    app = create_conventional_app(
        title=title,
        version=version,
        max_body_size=max_body_size,
        complete_document=lambda document: document_from_docstrings(document, routes),
    )
    setattr(app.state, DECLARED_ROUTES, routes)
    for route in routes:
        method = implementation_method(title, implementation, route)
        app.router.add_api_route(
            route.path,
            LegacyEndpoint(method, route),
            methods=[route.method],
            response_model=None,
            route_class_override=LegacyRoute,
            deprecated=route.deprecated or None,
            name=route.name,
            # Declared, not checked: the gateway enforces it, the same for both sides.
            openapi_extra=declared_auth(
                require_authentication=route.require_authentication, required_scope=route.required_scope
            ),
        )
    return app
