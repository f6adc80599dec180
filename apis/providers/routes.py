"""The providers API as a FastAPI router, answering as its legacy routes do.

Scaffolded by `gateway scaffold providers` from apis.providers.legacy:ProvidersApi.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apis.providers.models import ListProvidersResponse, ProviderInfo
from apis.providers.service import ProvidersService
from http_conventions import ConventionRouter, implementation, standard_responses

Service = Annotated[ProvidersService, Depends(implementation)]


def create_router() -> ConventionRouter:
    router = ConventionRouter(tags=["providers"], responses=standard_responses)

    @router.get(
        "/v1/providers", summary="List the providers that serve each API.", response_description="Every provider."
    )
    async def list_providers(service: Service) -> ListProvidersResponse:
        return await service.list_providers()

    @router.get("/v1/providers/{provider_id}", summary="Describe one provider.", response_description="The provider.")
    async def inspect_provider(
        provider_id: Annotated[str, Path(description="The provider to describe.")], service: Service
    ) -> ProviderInfo:
        return await service.inspect_provider(provider_id)

    return router
