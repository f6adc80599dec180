"""A third party's API whose router renamed a path parameter: `{thing_id}` became `{id}`.

The legacy route `GET /v1/things/{thing_id}` has no migrated twin, so with the API in
`migrated` mode that route stays on the legacy side: the partial migration the gateway
must name. Served with ``--apis tests.gateway.renamed_parameter_api``; `GET /v1/health`
is there for the e2e helper's readiness probe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI

from gateway import ApiContext, ApiRegistry
from legacy_adapter import create_legacy_app, webmethod

API = "things"
RENAMED = "GET /v1/things/{thing_id}"
TWIN = "GET /v1/things/{id}"


class ThingsApi(Protocol):
    @webmethod(route="/health", method="GET", require_authentication=False)
    async def health(self) -> dict[str, str]: ...

    @webmethod(route="/things", method="GET")
    async def list_things(self) -> dict[str, list[str]]: ...

    @webmethod(route="/things/{thing_id}", method="GET")
    async def get_thing(self, thing_id: str) -> dict[str, str]: ...


class Things:
    async def health(self) -> dict[str, str]:
        return {"status": "OK"}

    async def list_things(self) -> dict[str, list[str]]:
        return {"data": ["a", "b"]}

    async def get_thing(self, thing_id: str) -> dict[str, str]:
        return {"id": thing_id}


@asynccontextmanager
async def open_things(context: ApiContext) -> AsyncIterator[Things]:
    yield Things()


def things_router(implementation: Things, context: ApiContext) -> FastAPI:
    # Its documents are read by the gateway, not served by the app.
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/v1/health")
    async def health() -> dict[str, str]:
        return await implementation.health()

    @app.get("/v1/things")
    async def list_things() -> dict[str, list[str]]:
        return await implementation.list_things()

    @app.get("/v1/things/{id}")
    async def get_thing(id: str) -> dict[str, str]:
        return await implementation.get_thing(id)

    return app


def legacy_things(implementation: Any, context: ApiContext) -> FastAPI:
    return create_legacy_app(ThingsApi, implementation)


registry = ApiRegistry()
registry.register_api(API, implementation=open_things, legacy=legacy_things, migrated=things_router)
