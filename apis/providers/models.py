"""Response models of the providers API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ProviderInfo(BaseModel):
    """The provider that serves one API."""

    api: str = Field(description="The API the provider serves.")
    provider_id: str = Field(description="The provider's identifier.")
    provider_type: str = Field(description="The kind of provider, `inline::<name>` for built-in ones.")
    config: dict[str, Any] = Field(description="The provider's configuration.")


class ListProvidersResponse(BaseModel):
    data: list[ProviderInfo] = Field(description="Every provider.")
