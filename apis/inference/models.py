"""Request and response models of the inference API (an OpenAI-compatible subset)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from apis.limits import MAX_TOKENS, message_within_limit


class ChatMessage(BaseModel):
    """One message of a conversation, at most 1 MiB as JSON."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"] = Field(description="Who wrote the message.")
    content: str | list[dict[str, Any]] | None = Field(
        default=None, description="The text, or a list of content parts of which the `text` parts are read."
    )

    @model_validator(mode="before")
    @classmethod
    def _within_size_limit(cls, data: Any) -> Any:
        # Measured as sent, extra fields included, before any of it is validated.
        return message_within_limit(data)

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(str(part.get("text", "")) for part in self.content or [] if part.get("type") == "text")


class ChatCompletionRequest(BaseModel):
    """A chat completion request; fields the built-in models do not use are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(description="The model to answer with: a built-in or a registered model.")
    messages: list[ChatMessage] = Field(min_length=1, description="The conversation so far.")
    stream: bool = Field(default=False, description="Answer with server-sent `chat.completion.chunk` events.")
    max_tokens: int | None = Field(
        default=None, ge=1, le=MAX_TOKENS, description="Most words to produce (used by `lorem`), at most 4096."
    )
    temperature: float | None = Field(default=None, ge=0, le=2, description="Accepted and ignored.")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = Field(default="assistant", description="Always `assistant`.")
    content: str = Field(description="The answer.")


class Choice(BaseModel):
    index: int = Field(default=0, description="Position of the choice; the built-ins give one.")
    message: AssistantMessage = Field(description="The answer.")
    finish_reason: Literal["stop", "length"] = Field(description="Why the answer ended.")
    logprobs: None = Field(default=None, description="Always null.")


class Usage(BaseModel):
    prompt_tokens: int = Field(description="Words in the prompt.")
    completion_tokens: int = Field(description="Words in the answer.")
    total_tokens: int = Field(description="Sum of both.")


class ChatCompletion(BaseModel):
    """A complete answer."""

    id: str = Field(description="The completion identifier, `chatcmpl-` followed by hex digits.")
    object: Literal["chat.completion"] = Field(default="chat.completion", description="Always `chat.completion`.")
    created: int = Field(description="Unix time (seconds) of the answer.")
    model: str = Field(description="The model as requested.")
    choices: list[Choice] = Field(description="The answers; the built-ins give one.")
    usage: Usage = Field(description="Word counts.")
    system_fingerprint: str | None = Field(
        default=None, description="The `system_fingerprint` of the X-Provider-Data header, if given."
    )


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = Field(default=None, description="Set on the first chunk only.")
    content: str | None = Field(default=None, description="The next piece of the answer.")


class ChunkChoice(BaseModel):
    index: int = Field(default=0, description="Position of the choice.")
    delta: ChunkDelta = Field(description="What this chunk adds.")
    finish_reason: Literal["stop", "length"] | None = Field(default=None, description="Set on the last chunk.")
    logprobs: None = Field(default=None, description="Always null.")


class ChatCompletionChunk(BaseModel):
    """One event of a streamed answer."""

    id: str = Field(description="The completion identifier, the same in every chunk.")
    object: Literal["chat.completion.chunk"] = Field(default="chat.completion.chunk", description="Always this.")
    created: int = Field(description="Unix time (seconds) of the answer.")
    model: str = Field(description="The model as requested.")
    choices: list[ChunkChoice] = Field(description="The pieces; one per chunk.")
    system_fingerprint: str | None = Field(default=None, description="As in the complete answer.")
