"""Request and response models of the models API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from apis.limits import ModelMetadata
from http_conventions import EmbeddedFields

MODELS_WRITE = "models:write"
"""The scope a caller needs to register, update or unregister a model."""


class Model(BaseModel):
    """A model that chat completions can name."""

    id: str = Field(description="The identifier clients pass as `model`.")
    object: Literal["model"] = Field(default="model", description="Always `model`.")
    created: int = Field(description="Unix time (seconds) when the model was registered.")
    owned_by: str = Field(description="Who serves the model.")
    provider_model_id: str = Field(description="The built-in model that answers for this one.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form metadata set at registration.")


class ListModelsResponse(BaseModel):
    """Every model: the built-ins, then the registered ones by creation time."""

    object: Literal["list"] = Field(default="list", description="Always `list`.")
    data: list[Model] = Field(description="The models.")


class RegisterModelRequest(EmbeddedFields):
    """The body of `POST /v1/models`."""

    model_id: str = Field(description="The identifier to register; it may contain slashes.")
    provider_model_id: str | None = Field(
        default=None, description="The built-in model that answers for it (default: echo)."
    )
    metadata: ModelMetadata | None = Field(
        default=None, description="Free-form metadata kept with the model, at most 64 KiB as JSON."
    )


class UpdateModelRequest(EmbeddedFields):
    """The body of `POST /v1/models/{model_id}`."""

    metadata: ModelMetadata = Field(description="The new metadata, at most 64 KiB as JSON.")
