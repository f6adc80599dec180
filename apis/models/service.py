"""What the models API does, independent of how it is served."""

from __future__ import annotations

from typing import Protocol

from apis.limits import ModelMetadata
from apis.models.models import ListModelsResponse, Model


class ModelsService(Protocol):
    async def list_models(self) -> ListModelsResponse: ...

    async def get_model(self, model_id: str) -> Model: ...

    async def register_model(
        self, model_id: str, provider_model_id: str | None = None, metadata: ModelMetadata | None = None
    ) -> Model: ...

    async def update_model(self, model_id: str, metadata: ModelMetadata) -> Model: ...

    async def unregister_model(self, model_id: str) -> None: ...
