"""The inspect API as a FastAPI router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from apis.inspect.models import ApiFilter, HealthInfo, ListRoutesResponse, VersionInfo
from apis.inspect.service import InspectService
from http_conventions import ConventionRouter, implementation, public, standard_responses

Service = Annotated[InspectService, Depends(implementation)]


def create_router() -> ConventionRouter:
    router = ConventionRouter(tags=["inspect"], responses=standard_responses)

    @router.get("/v1/health", summary="Report that the server answers.", openapi_extra=public())
    async def health(service: Service) -> HealthInfo:
        return await service.health()

    @router.get("/v1/version", summary="Report the server's version.", openapi_extra=public())
    async def version(service: Service) -> VersionInfo:
        return await service.version()

    @router.get(
        "/v1/inspect/routes",
        summary="List the routes the server serves.",
        description="Deprecated routes are hidden unless asked for.",
    )
    async def list_routes(
        service: Service,
        api_filter: Annotated[
            ApiFilter | None,
            Query(description="`v1`, `v1alpha` or `v1beta` for one level, or `deprecated` for the deprecated routes."),
        ] = None,
    ) -> ListRoutesResponse:
        return await service.list_routes(api_filter)

    return router
