"""Request and response models of the models API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


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
