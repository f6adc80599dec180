"""Building the ASGI app that serves a webmethod protocol exactly as the old server did."""

from __future__ import annotations

import functools
import typing
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from http_conventions import create_conventional_app, declared_auth
from legacy_adapter.discovery import WebRoute, discover_routes
from legacy_adapter.endpoint import create_endpoint
from legacy_adapter.exceptions import ImplementationError
from legacy_adapter.openapi import document_from_docstrings


def _documented_response(method: Any) -> dict[int | str, dict[str, Any]] | None:
    # Documenting the model through `responses` keeps the schema in OpenAPI without
    # filtering the response through it, as the old server did not.
    returned = typing.get_type_hints(method).get("return")
    if isinstance(returned, type) and issubclass(returned, BaseModel):
        return {200: {"model": returned}}
    return None


def create_legacy_app(
    protocol: type,
    implementation: object,
    *,
    title: str | None = None,
    version: str = "0.1.0",
    max_body_size: int | None = None,
) -> FastAPI:
    """Serve `implementation` on the routes `protocol` declares with `@webmethod`.

    Every route of the protocol must have a method on the implementation. The app has
    no docs routes of its own; its document is `app.openapi()`::

        app = create_legacy_app(ModelsApi, ModelsImpl(...), max_body_size=100 * 2**20)
    """
    routes = discover_routes(protocol)
    app = create_conventional_app(title=title or protocol.__name__, version=version, max_body_size=max_body_size)
    for route in routes:
        method = getattr(implementation, route.name, None)
        if not callable(method):
            raise ImplementationError(
                f"{type(implementation).__name__} has no method {route.name!r} for {route.method} {route.path}"
            )
        app.add_api_route(
            route.path,
            create_endpoint(method, route),
            methods=[route.method],
            response_model=None,
            responses=_documented_response(method),
            deprecated=route.deprecated or None,
            name=route.name,
            # Declared, not checked: the gateway enforces it, the same for both sides.
            openapi_extra=declared_auth(
                require_authentication=route.require_authentication, required_scope=route.required_scope
            ),
        )
    app.state.webmethod_routes = routes
    conventional = app.openapi
    app.openapi = functools.cache(lambda: document_from_docstrings(conventional(), routes))  # type: ignore[method-assign]
    return app


def webmethod_routes(app: FastAPI) -> list[WebRoute]:
    """The routes a legacy app was built from."""
    routes: list[WebRoute] = app.state.webmethod_routes
    return routes
