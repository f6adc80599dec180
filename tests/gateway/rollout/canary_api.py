"""An API whose router misbehaves on purpose, for canary rollbacks: `GET /v1/pets/failing` answers 500
from the router (legacy answers 200), `GET /v1/pets/slow` takes `SLOW_SECONDS` on the router.

Served with ``--apis tests.gateway.rollout.canary_api``; `GET /v1/health` is there for the
e2e helper's readiness probe.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from gateway import ApiContext, ApiRegistry
from legacy_adapter import create_legacy_app, webmethod

API = "pets"
FAILING = "GET /v1/pets/failing"
SLOW = "GET /v1/pets/slow"
STEADY = "GET /v1/pets"
SLOW_SECONDS = 0.05


class PetsApi(Protocol):
    @webmethod(route="/health", method="GET", require_authentication=False)
    async def health(self) -> dict[str, str]: ...

    @webmethod(route="/pets", method="GET")
    async def list_pets(self) -> dict[str, list[str]]: ...

    @webmethod(route="/pets/failing", method="GET")
    async def failing(self) -> dict[str, str]: ...

    @webmethod(route="/pets/slow", method="GET")
    async def slow(self) -> dict[str, str]: ...


class Pets:
    async def health(self) -> dict[str, str]:
        return {"status": "OK"}

    async def list_pets(self) -> dict[str, list[str]]:
        return {"data": ["cat", "dog"]}

    async def failing(self) -> dict[str, str]:
        return {"status": "fine on legacy"}

    async def slow(self) -> dict[str, str]:
        return {"status": "quick on legacy"}


@asynccontextmanager
async def open_pets(context: ApiContext) -> AsyncIterator[Pets]:
    yield Pets()


def pets_router(implementation: Pets, context: ApiContext) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/v1/health")
    async def health() -> dict[str, str]:
        return await implementation.health()

    @app.get("/v1/pets")
    async def list_pets() -> dict[str, list[str]]:
        return await implementation.list_pets()

    @app.get("/v1/pets/failing")
    async def failing() -> JSONResponse:
        return JSONResponse({"error": {"message": "the router broke"}}, status_code=500)

    @app.get("/v1/pets/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(SLOW_SECONDS)
        return await implementation.slow()

    return app


def legacy_pets(implementation: Any, context: ApiContext) -> FastAPI:
    return create_legacy_app(PetsApi, implementation)


registry = ApiRegistry()
registry.register_api(API, implementation=open_pets, legacy=legacy_pets, migrated=pets_router)
