"""The providers API as the old server declared it."""

from __future__ import annotations

from typing import Protocol

from apis.providers.models import ListProvidersResponse, ProviderInfo
from legacy_adapter import webmethod


class ProvidersApi(Protocol):
    @webmethod(route="/providers", method="GET")
    async def list_providers(self) -> ListProvidersResponse:
        """List the providers that serve each API.

        :returns: Every provider.
        """
        ...

    @webmethod(route="/providers/{provider_id}", method="GET")
    async def inspect_provider(self, provider_id: str) -> ProviderInfo:
        """Describe one provider.

        :param provider_id: The provider to describe.
        :returns: The provider.
        """
        ...
