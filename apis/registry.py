"""The example application: every API registered once, in start-up order."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from apis.batches.implementation import open_batches
from apis.batches.legacy import BatchesApi
from apis.files.implementation import open_files
from apis.files.legacy import FilesApi
from apis.inference.implementation import open_inference
from apis.inference.legacy import InferenceApi
from apis.inspect.implementation import inspect_factory
from apis.inspect.legacy import InspectApi
from apis.models.implementation import open_models
from apis.models.legacy import ModelsApi
from apis.providers.implementation import open_providers
from apis.providers.legacy import ProvidersApi
from gateway import ApiContext, ApiRegistry, __version__
from gateway.registry import AppFactory
from legacy_adapter import create_legacy_app

LEGACY_PROTOCOLS: dict[str, type] = {
    "models": ModelsApi,
    "files": FilesApi,
    "batches": BatchesApi,
    "inference": InferenceApi,
    "inspect": InspectApi,
    "providers": ProvidersApi,
}


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
# Order is start-up order: inference uses models, batches use files and inference, inspect uses providers.
registry.register_api("models", implementation=open_models, legacy=legacy_app("models"))
registry.register_api("files", implementation=open_files, legacy=legacy_app("files"))
registry.register_api("inference", implementation=open_inference, legacy=legacy_app("inference"))
registry.register_api("batches", implementation=open_batches, legacy=legacy_app("batches"))
registry.register_api("providers", implementation=open_providers, legacy=legacy_app("providers"))
registry.register_api("inspect", implementation=inspect_factory(LEGACY_PROTOCOLS), legacy=legacy_app("inspect"))
