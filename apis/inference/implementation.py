"""Deterministic built-in models, so clients and tests can rely on exact answers."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Protocol

from fastapi import Body

from apis.inference.models import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    ChunkDelta,
    Usage,
)
from apis.models.implementation import ModelsImplementation
from gateway import ApiContext
from gateway.registry import Clock
from http_conventions import LoopBudget, current_request_context

LOREM = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore "
    "magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo"
).split()
LOREM_DEFAULT_WORDS = 16
SLOW_ECHO_SECONDS_PER_WORD = 0.02


class ModelResolver(Protocol):
    """What inference needs of the models API: which built-in answers for a model id."""

    async def resolve(self, model_id: str) -> str: ...


def _last_user_text(request: ChatCompletionRequest) -> str:
    return next((m.text() for m in reversed(request.messages) if m.role == "user"), "")


def _answer_words(builtin: str, request: ChatCompletionRequest) -> list[str]:
    if builtin == "lorem":
        return list(itertools.islice(itertools.cycle(LOREM), request.max_tokens or LOREM_DEFAULT_WORDS))
    return _last_user_text(request).split(" ")


async def _prompt_words(request: ChatCompletionRequest) -> int:
    # Message by message with turns for the loop: a body may hold a hundred messages of 1 MiB.
    budget = LoopBudget()
    words = 0
    for message in request.messages:
        words += len(message.text().split())
        await budget.spend()
    return words


class InferenceImplementation:
    """Chat completions answered by `echo`, `lorem` and `slow-echo`."""

    def __init__(self, models: ModelResolver, *, clock: Clock = time.time) -> None:
        self.models = models
        self.clock = clock

    async def _words(self, builtin: str, request: ChatCompletionRequest) -> AsyncIterator[str]:
        for index, word in enumerate(_answer_words(builtin, request)):
            if builtin == "slow-echo":
                await asyncio.sleep(SLOW_ECHO_SECONDS_PER_WORD)
            yield word if index == 0 else f" {word}"

    async def _content(self, builtin: str, request: ChatCompletionRequest) -> str:
        if builtin == "slow-echo":
            return "".join([word async for word in self._words(builtin, request)])
        # The words joined again are the text: no loop over a megabyte of words on the event loop.
        return " ".join(_answer_words(builtin, request))

    async def chat_completion(
        self, params: Annotated[ChatCompletionRequest, Body(...)]
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        # Resolve before streaming, so an unknown model fails before the first chunk.
        builtin = await self.models.resolve(params.model)
        header: dict[str, Any] = {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "created": int(self.clock()),
            "model": params.model,
            "system_fingerprint": current_request_context().provider_data.get("system_fingerprint"),
        }
        if params.stream:
            return self._stream(builtin, params, header)
        content = await self._content(builtin, params)
        prompt = await _prompt_words(params)
        answer = len(content.split())
        return ChatCompletion(
            **header,
            choices=[Choice(message=AssistantMessage(content=content), finish_reason="stop")],
            usage=Usage(prompt_tokens=prompt, completion_tokens=answer, total_tokens=prompt + answer),
        )

    async def _stream(
        self, builtin: str, params: ChatCompletionRequest, header: dict[str, Any]
    ) -> AsyncIterator[ChatCompletionChunk]:
        yield ChatCompletionChunk(**header, choices=[ChunkChoice(delta=ChunkDelta(role="assistant", content=""))])
        async for word in self._words(builtin, params):
            # Read per chunk: the request context must still be there inside the stream.
            header["system_fingerprint"] = current_request_context().provider_data.get("system_fingerprint")
            yield ChatCompletionChunk(**header, choices=[ChunkChoice(delta=ChunkDelta(content=word))])
        yield ChatCompletionChunk(**header, choices=[ChunkChoice(delta=ChunkDelta(), finish_reason="stop")])


@asynccontextmanager
async def open_inference(context: ApiContext) -> AsyncIterator[InferenceImplementation]:
    yield InferenceImplementation(context.implementation(ModelsImplementation), clock=context.clock)
