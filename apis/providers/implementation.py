"""The fixed providers behind the example APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from apis.providers.models import ListProvidersResponse, ProviderInfo
from apis.storage import DATABASE_NAME
from apis.storage.urls import masked
from gateway import ApiContext
from http_conventions import ResourceNotFoundError


def _storage_providers(data_dir: Path, database: str | None) -> list[ProviderInfo]:
    """Where models, files and batches keep their state: SQLite and a directory, or a PostgreSQL database."""
    if database is not None:
        # Named as the person gave it, but never with its password: this listing is for any client.
        config = {"url": masked(database)}
        return [
            ProviderInfo(api="models", provider_id="postgres", provider_type="remote::postgres", config=config),
            ProviderInfo(api="files", provider_id="postgres-files", provider_type="remote::postgres", config=config),
            ProviderInfo(api="batches", provider_id="reference", provider_type="inline::reference", config=config),
        ]
    database_path = str(data_dir / DATABASE_NAME)
    return [
        ProviderInfo(
            api="models", provider_id="sqlite", provider_type="inline::sqlite", config={"db_path": database_path}
        ),
        ProviderInfo(
            api="files",
            provider_id="localfs",
            provider_type="inline::localfs",
            config={"storage_dir": str(data_dir / "files"), "db_path": database_path},
        ),
        ProviderInfo(
            api="batches",
            provider_id="reference",
            provider_type="inline::reference",
            config={"db_path": database_path},
        ),
    ]


def builtin_providers(data_dir: Path, database: str | None = None) -> list[ProviderInfo]:
    return [
        *_storage_providers(data_dir, database),
        ProviderInfo(
            api="inference",
            provider_id="builtin-models",
            provider_type="inline::builtin",
            config={"models": ["echo", "lorem", "slow-echo"]},
        ),
        ProviderInfo(api="inspect", provider_id="inspect", provider_type="inline::builtin", config={}),
        ProviderInfo(api="providers", provider_id="providers", provider_type="inline::builtin", config={}),
    ]


class ProvidersImplementation:
    def __init__(self, providers: list[ProviderInfo]) -> None:
        self.providers = providers

    async def list_providers(self) -> ListProvidersResponse:
        return ListProvidersResponse(data=self.providers)

    async def inspect_provider(self, provider_id: str) -> ProviderInfo:
        for provider in self.providers:
            if provider.provider_id == provider_id:
                return provider
        raise ResourceNotFoundError("Provider", provider_id)

    def provider_types(self, api: str) -> list[str]:
        return [p.provider_type for p in self.providers if p.api == api]


@asynccontextmanager
async def open_providers(context: ApiContext) -> AsyncIterator[ProvidersImplementation]:
    yield ProvidersImplementation(builtin_providers(context.data_dir, context.database))
