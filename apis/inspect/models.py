"""Response models of the inspect API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ApiFilter = Literal["v1", "v1alpha", "v1beta", "deprecated"]


class HealthInfo(BaseModel):
    status: Literal["OK"] = Field(default="OK", description="`OK` while the server answers.")


class VersionInfo(BaseModel):
    version: str = Field(description="The server's version.")


class RouteInfo(BaseModel):
    route: str = Field(description="The path template as registered, e.g. `/v1/models/{model_id:path}`.")
    method: str = Field(description="The HTTP method as served.")
    provider_types: list[str] = Field(description="The kinds of provider serving the route's API.")


class ListRoutesResponse(BaseModel):
    data: list[RouteInfo] = Field(description="The routes.")
