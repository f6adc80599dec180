"""What the inference API does, independent of how it is served."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from apis.inference.models import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest


class InferenceService(Protocol):
    async def chat_completion(
        self, params: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]: ...
