"""The models API as a FastAPI router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from apis.models.models import MODELS_WRITE, ListModelsResponse, Model, RegisterModelRequest, UpdateModelRequest
from apis.models.service import ModelsService
from http_conventions import ConventionRouter, implementation, requires_scope, standard_responses

Service = Annotated[ModelsService, Depends(implementation)]
ModelId = Annotated[str, Path(description="The model identifier; it may contain slashes.")]


def create_router() -> ConventionRouter:
    router = ConventionRouter(tags=["models"], responses=standard_responses)

    @router.get("/v1/models", summary="List models.", description="The built-ins first, then by creation time.")
    @router.get("/v1/openai/v1/models", summary="List models.", deprecated=True)
    async def list_models(service: Service) -> ListModelsResponse:
        return await service.list_models()

    @router.get("/v1/models/{model_id:path}", summary="Retrieve a model.")
    async def get_model(model_id: ModelId, service: Service) -> Model:
        return await service.get_model(model_id)

    @router.post("/v1/models", summary="Register a model.", openapi_extra=requires_scope(MODELS_WRITE))
    async def register_model(request: RegisterModelRequest, service: Service) -> Model:
        return await service.register_model(request.model_id, request.provider_model_id, request.metadata)

    # Declared PUT by the old server, which served every method but GET and DELETE as POST.
    @router.post(
        "/v1/models/{model_id:path}",
        summary="Replace a registered model's metadata.",
        openapi_extra=requires_scope(MODELS_WRITE),
    )
    async def update_model(model_id: ModelId, request: UpdateModelRequest, service: Service) -> Model:
        return await service.update_model(model_id, request.metadata)

    @router.delete(
        "/v1/models/{model_id:path}",
        summary="Unregister a model.",
        status_code=204,
        openapi_extra=requires_scope(MODELS_WRITE),
    )
    async def unregister_model(model_id: ModelId, service: Service) -> None:
        await service.unregister_model(model_id)

    return router
