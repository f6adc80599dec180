"""Health, version and the route listing of every example API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from apis.inspect.models import ApiFilter, HealthInfo, ListRoutesResponse, RouteInfo, VersionInfo
from apis.providers.implementation import ProvidersImplementation
from gateway import ApiContext, __version__
from legacy_adapter import WebRoute, discover_routes, filter_routes


class InspectImplementation:
    def __init__(self, routes: Mapping[str, list[WebRoute]], provider_types: Callable[[str], list[str]]) -> None:
        self.routes = routes
        self.provider_types = provider_types

    async def health(self) -> HealthInfo:
        return HealthInfo()

    async def version(self) -> VersionInfo:
        return VersionInfo(version=__version__)

    async def list_routes(self, api_filter: ApiFilter | None = None) -> ListRoutesResponse:
        return ListRoutesResponse(
            data=[
                RouteInfo(route=route.path, method=route.method, provider_types=self.provider_types(api))
                for api, routes in self.routes.items()
                for route in filter_routes(routes, api_filter)
            ]
        )


def inspect_factory(
    protocols: Mapping[str, type],
) -> Callable[[ApiContext], AbstractAsyncContextManager[InspectImplementation]]:
    """The implementation factory, over the legacy protocols of every API by name."""

    @asynccontextmanager
    async def open_inspect(context: ApiContext) -> AsyncIterator[InspectImplementation]:
        routes = {api: discover_routes(protocol) for api, protocol in protocols.items()}
        yield InspectImplementation(routes, context.implementation(ProvidersImplementation).provider_types)

    return open_inspect
