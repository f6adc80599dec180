"""Routers that drift from their legacy twins the ways real migrations did (SPEC 5), one drift per route.

Registered in place of the example routers, every drift must come out of a shadowed
request as a mismatch whose diff names it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.responses import JSONResponse, StreamingResponse

from apis.files.models import FileObject, UploadPurpose
from apis.files.routes import FileId
from apis.files.service import FilesService
from apis.inference.models import ChatCompletionRequest
from apis.inference.service import InferenceService
from apis.models.models import ListModelsResponse, RegisterModelRequest
from apis.models.routes import ModelId
from apis.models.service import ModelsService
from http_conventions import ConventionRouter, ResourceNotFoundError, implementation, sse_response

Models = Annotated[ModelsService, Depends(implementation)]
Files = Annotated[FilesService, Depends(implementation)]
Inference = Annotated[InferenceService, Depends(implementation)]


class PublicModel(BaseModel):
    """A response model that leaves out `metadata`: FastAPI filters the field away."""

    id: str
    object: str
    created: int
    owned_by: str
    provider_model_id: str


def models_router() -> ConventionRouter:
    router = ConventionRouter()

    @router.get("/v1/models")
    async def list_models(service: Models) -> ListModelsResponse:
        # An extra implementation call.
        await service.get_model("echo")
        return await service.list_models()

    # A plain FastAPI route filters its response through its model, as the conventions' routes do not.
    plain = APIRouter()

    @plain.get("/v1/models/{model_id:path}", response_model=PublicModel)
    async def get_model(model_id: ModelId, service: Models) -> Any:
        # A filtered response field, and a changed error body.
        try:
            return await service.get_model(model_id)
        except ResourceNotFoundError as exc:
            return JSONResponse({"error": {"message": str(exc)}}, status_code=404)

    router.include_router(plain)

    @router.post("/v1/models")
    async def register_model(request: RegisterModelRequest, service: Models) -> Any:
        # A different argument: the default filled in by the router instead of the implementation.
        return await service.register_model(request.model_id, request.provider_model_id or "echo", request.metadata)

    @router.delete("/v1/models/{model_id:path}")
    async def unregister_model(model_id: ModelId, service: Models) -> None:
        # 200 `null` where legacy answers 204.
        await service.unregister_model(model_id)

    return router


def files_router() -> ConventionRouter:
    router = ConventionRouter()

    @router.post("/v1/files")
    async def upload_file(
        file: Annotated[UploadFile, File()],
        service: Files,
        # A dropped multipart field: the client's `purpose` is never read, the default goes in.
        purpose: Annotated[UploadPurpose, Form(alias="file_purpose")] = "assistants",
    ) -> FileObject:
        return await service.upload_file(file, purpose)

    @router.get("/v1/files/{file_id}")
    async def retrieve_file(file_id: FileId, service: Files) -> Any:
        # Raises once its response is complete, as a background task that fails does.
        found = await service.retrieve_file(file_id)
        return JSONResponse(found.model_dump(mode="json"), background=BackgroundTask(_fail))

    return router


async def _fail() -> None:
    raise RuntimeError("after the response")


def inference_router() -> ConventionRouter:
    router = ConventionRouter()

    @router.post("/v1/chat/completions")
    async def chat_completion(params: ChatCompletionRequest, service: Inference) -> Any:
        if not params.stream:
            return await service.chat_completion(params)
        # An SSE framing change: OpenAI's end marker, which the legacy server never sent.
        stream = sse_response(service.chat_completion(params)).body_iterator

        async def framed() -> Any:
            async for event in stream:
                yield event
            yield "data: [DONE]\n\n"

        return StreamingResponse(framed(), media_type="text/event-stream")

    return router
