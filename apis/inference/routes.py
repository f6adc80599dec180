"""The inference API as a FastAPI router."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from apis.inference.models import ChatCompletion, ChatCompletionRequest
from apis.inference.service import InferenceService
from http_conventions import SSE_MEDIA_TYPE, ConventionRouter, implementation, sse_response, standard_responses

Service = Annotated[InferenceService, Depends(implementation)]

STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": ChatCompletion,
        "description": "The completion, or with `stream: true` a stream of `chat.completion.chunk` events.",
        "content": {SSE_MEDIA_TYPE: {}},
    }
}


def create_router() -> ConventionRouter:
    router = ConventionRouter(tags=["inference"], responses=standard_responses)

    @router.post(
        "/v1/chat/completions",
        summary="Create a chat completion.",
        description="Answers with one completion, or with server-sent chunks when `stream` is true.",
        responses=STREAM_RESPONSE,
    )
    @router.post(
        "/v1alpha/inference/chat-completion",
        summary="Create a chat completion.",
        description="Answers with one completion, or with server-sent chunks when `stream` is true.",
        responses=STREAM_RESPONSE,
    )
    async def chat_completion(params: ChatCompletionRequest, service: Service) -> Any:
        if params.stream:
            return sse_response(service.chat_completion(params))
        return await service.chat_completion(params)

    return router
