"""Declaring who may call a route, the same way on both sides of a migration.

Neither side checks credentials: the gateway does, before a request reaches either side
(`gateway serve --auth`), from what the route declares here. So a flip never changes who
gets in. A route declares its requirement as the OpenAPI security requirement of its
operation, so the documents say it too; a route that declares nothing needs an
authenticated user, as a `@webmethod` route does by default::

    @router.get("/v1/health", openapi_extra=public())
    @router.post("/v1/models", openapi_extra=requires_scope("models:write"))
    @router.get("/v1/models")                          # any authenticated user
"""

from __future__ import annotations

from typing import Any

BEARER_SCHEME = "bearer"
"""The name of the security scheme in the OpenAPI documents."""

BEARER_SECURITY_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "description": "A token the server knows, sent as `Authorization: Bearer <token>`.",
}


def public() -> dict[str, Any]:
    """The `openapi_extra` of a route anyone may call without credentials."""
    return {"security": []}


def requires_scope(scope: str) -> dict[str, Any]:
    """The `openapi_extra` of a route whose caller needs `scope` (e.g. ``"models:write"``)."""
    if scope.split() != [scope]:
        raise ValueError(f"a scope must be a non-empty word, not {scope!r}")
    return {"security": [{BEARER_SCHEME: [scope]}]}


def declared_auth(*, require_authentication: bool = True, required_scope: str | None = None) -> dict[str, Any]:
    """The `openapi_extra` of a route with these `@webmethod` fields; empty for the default."""
    if not require_authentication:
        # The old server let such a route through unchecked, whatever scope it named.
        return public()
    return requires_scope(required_scope) if required_scope else {}
