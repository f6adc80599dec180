"""The inspect API as the old server declared it."""

from __future__ import annotations

from typing import Protocol

from apis.inspect.models import ApiFilter, HealthInfo, ListRoutesResponse, VersionInfo
from legacy_adapter import webmethod


class InspectApi(Protocol):
    @webmethod(route="/health", method="GET", require_authentication=False)
    async def health(self) -> HealthInfo:
        """Report that the server answers.

        :returns: The health status.
        """
        ...

    @webmethod(route="/version", method="GET", require_authentication=False)
    async def version(self) -> VersionInfo:
        """Report the server's version.

        :returns: The version.
        """
        ...

    @webmethod(route="/inspect/routes", method="GET")
    async def list_routes(self, api_filter: ApiFilter | None = None) -> ListRoutesResponse:
        """List the routes the server serves.

        Deprecated routes are hidden unless asked for.

        :param api_filter: `v1`, `v1alpha` or `v1beta` for one level, or `deprecated` for the deprecated routes.
        :returns: The routes.
        """
        ...
