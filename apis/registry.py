"""The example application: every API registered once, in start-up order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.applications import Starlette

from apis.batches.implementation import open_batches
from apis.batches.legacy import BatchesApi
from apis.batches.routes import create_router as batches_router
from apis.files.implementation import open_files
from apis.files.legacy import FilesApi
from apis.files.routes import create_router as files_router
from apis.inference.implementation import open_inference
from apis.inference.legacy import InferenceApi
from apis.inference.routes import create_router as inference_router
from apis.inspect.implementation import inspect_factory
from apis.inspect.legacy import InspectApi
from apis.inspect.routes import create_router as inspect_router
from apis.models.implementation import open_models
from apis.models.legacy import ModelsApi
from apis.models.routes import create_router as models_router
from apis.providers.implementation import open_providers
from apis.providers.legacy import ProvidersApi
from apis.providers.routes import create_router as providers_router
from gateway import ApiContext, ApiRegistry, __version__
from gateway.registry import AppFactory
from http_conventions import create_router_app
from legacy_adapter import create_legacy_app

LEGACY_PROTOCOLS: dict[str, type] = {
    "models": ModelsApi,
    "files": FilesApi,
    "batches": BatchesApi,
    "inference": InferenceApi,
    "inspect": InspectApi,
    "providers": ProvidersApi,
}


def migrated_app(api: str, create_router: Callable[[], APIRouter]) -> AppFactory:
    """The factory of an API's migrated app: its router served with the legacy conventions."""

    def build(implementation: Any, context: ApiContext) -> Starlette:
        return create_router_app(
            create_router(),
            implementation,
            title=f"{api} (migrated)",
            version=__version__,
            max_body_size=context.max_body_size,
        )

    return build


def legacy_app(api: str) -> AppFactory:
    """The factory of an API's legacy app: its protocol served by the adapter."""

    def build(implementation: Any, context: ApiContext) -> Starlette:
        return create_legacy_app(
            LEGACY_PROTOCOLS[api],
            implementation,
            title=f"{api} (legacy)",
            version=__version__,
            max_body_size=context.max_body_size,
        )

    return build


registry = ApiRegistry()
# Start-up order: an implementation gets another API's (`context.implementation(...)`) only if it comes first.
registry.register_api(
    "models", implementation=open_models, legacy=legacy_app("models"), migrated=migrated_app("models", models_router)
)
registry.register_api(
    "files", implementation=open_files, legacy=legacy_app("files"), migrated=migrated_app("files", files_router)
)
registry.register_api(
    "inference",
    implementation=open_inference,
    legacy=legacy_app("inference"),
    migrated=migrated_app("inference", inference_router),
)
registry.register_api(
    "batches",
    implementation=open_batches,
    legacy=legacy_app("batches"),
    migrated=migrated_app("batches", batches_router),
)
# Its router was written by `gateway scaffold providers`; the flag file still serves it from legacy.
registry.register_api(
    "providers",
    implementation=open_providers,
    legacy=legacy_app("providers"),
    migrated=migrated_app("providers", providers_router),
)
registry.register_api(
    "inspect",
    # Listed in the old server's order, not start-up order.
    implementation=inspect_factory(api_order=list(LEGACY_PROTOCOLS)),
    legacy=legacy_app("inspect"),
    migrated=migrated_app("inspect", inspect_router),
)
