"""The inference API as the old server declared it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Protocol

from fastapi import Body

from apis.inference.models import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest
from legacy_adapter import webmethod


class InferenceApi(Protocol):
    @webmethod(route="/chat/completions", method="POST")
    @webmethod(route="/inference/chat-completion", method="POST", level="v1alpha")
    async def chat_completion(
        self, params: Annotated[ChatCompletionRequest, Body(...)]
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        """Create a chat completion.

        Answers with one completion, or with server-sent chunks when `stream` is true.

        :param params: The OpenAI chat completion request.
        :returns: The completion, or a stream of chunks.
        """
        ...
