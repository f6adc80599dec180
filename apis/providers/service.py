"""What the providers API does, independent of how it is served.

Scaffolded by `gateway scaffold providers` from apis.providers.legacy:ProvidersApi.
"""

from __future__ import annotations

from typing import Protocol

from apis.providers.models import ListProvidersResponse, ProviderInfo


class ProvidersService(Protocol):
    async def list_providers(self) -> ListProvidersResponse:
        """List the providers that serve each API.

        :returns: Every provider.
        """
        ...

    async def inspect_provider(self, provider_id: str) -> ProviderInfo:
        """Describe one provider.

        :param provider_id: The provider to describe.
        :returns: The provider.
        """
        ...
