"""The models API as the old server declared it."""

from __future__ import annotations

from typing import Protocol

from apis.limits import ModelMetadata
from apis.models.models import MODELS_WRITE, ListModelsResponse, Model
from legacy_adapter import webmethod


class ModelsApi(Protocol):
    @webmethod(route="/models", method="GET")
    @webmethod(route="/openai/v1/models", method="GET", deprecated=True)
    async def list_models(self) -> ListModelsResponse:
        """List models.

        The built-in models come first, then registered models by creation time.

        :returns: Every model.
        """
        ...

    @webmethod(route="/models/{model_id:path}", method="GET")
    async def get_model(self, model_id: str) -> Model:
        """Retrieve a model.

        :param model_id: The model identifier; it may contain slashes.
        :returns: The model.
        """
        ...

    @webmethod(route="/models", method="POST", required_scope=MODELS_WRITE)
    async def register_model(
        self, model_id: str, provider_model_id: str | None = None, metadata: ModelMetadata | None = None
    ) -> Model:
        """Register a model.

        :param model_id: The identifier to register; it may contain slashes.
        :param provider_model_id: The built-in model that answers for it (default: echo).
        :param metadata: Free-form metadata kept with the model, at most 64 KiB as JSON.
        :returns: The registered model.
        """
        ...

    @webmethod(route="/models/{model_id:path}", method="PUT", required_scope=MODELS_WRITE)
    async def update_model(self, model_id: str, metadata: ModelMetadata) -> Model:
        """Replace a registered model's metadata.

        :param model_id: The registered model to update.
        :param metadata: The new metadata, at most 64 KiB as JSON.
        :returns: The updated model.
        """
        ...

    @webmethod(route="/models/{model_id:path}", method="DELETE", required_scope=MODELS_WRITE)
    async def unregister_model(self, model_id: str) -> None:
        """Unregister a model.

        :param model_id: The registered model to remove.
        """
        ...
