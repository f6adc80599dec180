"""What the inspect API does, independent of how it is served."""

from __future__ import annotations

from typing import Protocol

from apis.inspect.models import ApiFilter, HealthInfo, ListRoutesResponse, VersionInfo


class InspectService(Protocol):
    async def health(self) -> HealthInfo: ...

    async def version(self) -> VersionInfo: ...

    async def list_routes(self, api_filter: ApiFilter | None = None) -> ListRoutesResponse: ...
