"""An API whose router has a route FastAPI cannot build (a parameter type it cannot read); its legacy side builds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.registry import ApiContext, ApiRegistry
from http_conventions import ConventionRouter, create_router_app


class _Unreadable:
    """A parameter type FastAPI cannot read from a request."""


def things_router(broken: bool) -> ConventionRouter:
    router = ConventionRouter()

    if broken:

        @router.get("/v1/things/{thing_id}")
        async def get_thing(thing_id: str, unreadable: _Unreadable) -> dict[str, str]:
            return {"id": thing_id}

    else:

        @router.get("/v1/things/{thing_id}")
        async def get_thing_fine(thing_id: str) -> dict[str, str]:
            return {"id": thing_id}

    @router.get("/v1/things")
    async def list_things() -> dict[str, list[str]]:
        return {"data": []}

    return router


def things_registry() -> ApiRegistry:
    """An API whose router has a route FastAPI cannot build; its legacy side builds."""

    @asynccontextmanager
    async def open_things(context: ApiContext) -> AsyncIterator[object]:
        yield object()

    registry = ApiRegistry()
    registry.register_api(
        "things",
        implementation=open_things,
        legacy=lambda impl, context: create_router_app(things_router(broken=False), impl, title="things (legacy)"),
        migrated=lambda impl, context: create_router_app(things_router(broken=True), impl, title="things"),
    )
    return registry
