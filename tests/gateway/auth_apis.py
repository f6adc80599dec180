"""A tiny API whose routes say who called them, in both worlds, for the authentication tests.

`registry` declares the same requirements on both sides; `mismatched` has a router that
forgot to declare `/v1/open` public (so it requires authentication there and legacy does not).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import nullcontext
from typing import Annotated, Any, Protocol

from fastapi import Depends
from starlette.applications import Starlette

from gateway import ApiContext, ApiRegistry
from http_conventions import (
    ConventionRouter,
    create_router_app,
    current_request_context,
    implementation,
    public,
    requires_scope,
    sse_response,
)
from legacy_adapter import create_legacy_app, webmethod


class WhoAmIApi(Protocol):
    @webmethod(route="/whoami", method="GET")
    async def whoami(self) -> dict[str, Any]: ...

    @webmethod(route="/whoami/stream", method="POST")
    async def whoami_stream(self, stream: bool = True) -> AsyncIterator[dict[str, Any]]: ...

    @webmethod(route="/open", method="GET", require_authentication=False)
    async def open(self) -> dict[str, Any]: ...

    @webmethod(route="/admin-only", method="DELETE", required_scope="things:admin")
    async def admin_only(self) -> dict[str, Any]: ...


def _caller() -> dict[str, Any]:
    user = current_request_context().user
    return {"user": user.username if user is not None else None}


class WhoAmI:
    async def whoami(self) -> dict[str, Any]:
        return _caller()

    async def whoami_stream(self, stream: bool = True) -> AsyncIterator[dict[str, Any]]:
        for _ in range(2):
            yield _caller()

    async def open(self) -> dict[str, Any]:
        return _caller()

    async def admin_only(self) -> dict[str, Any]:
        return _caller()


Service = Annotated[WhoAmI, Depends(implementation)]


def router(open_is_public: bool) -> ConventionRouter:
    router = ConventionRouter()

    @router.get("/v1/whoami")
    async def whoami(service: Service) -> dict[str, Any]:
        return await service.whoami()

    @router.post("/v1/whoami/stream")
    async def whoami_stream(service: Service) -> Any:
        return sse_response(service.whoami_stream())

    @router.get("/v1/open", openapi_extra=public() if open_is_public else None)
    async def open_route(service: Service) -> dict[str, Any]:
        return await service.open()

    @router.delete("/v1/admin-only", openapi_extra=requires_scope("things:admin"))
    async def admin_only(service: Service) -> dict[str, Any]:
        return await service.admin_only()

    return router


def _registry(open_is_public: bool) -> ApiRegistry:
    def legacy(impl: Any, context: ApiContext) -> Starlette:
        return create_legacy_app(WhoAmIApi, impl)

    def migrated(impl: Any, context: ApiContext) -> Starlette:
        return create_router_app(router(open_is_public), impl, title="whoami")

    registry = ApiRegistry()
    registry.register_api(
        "whoami", implementation=lambda context: nullcontext(WhoAmI()), legacy=legacy, migrated=migrated
    )
    return registry


registry = _registry(open_is_public=True)
mismatched = _registry(open_is_public=False)
