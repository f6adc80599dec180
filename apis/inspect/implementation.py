"""Health, version and the route listing of every API, from what the gateway serves on either side."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cached_property

from apis.inspect.models import ApiFilter, HealthInfo, ListRoutesResponse, RouteInfo, VersionInfo
from apis.providers.implementation import ProvidersImplementation
from gateway import ApiContext, __version__
from gateway.lifecycle import ServedApi
from gateway.routes import GatewayRoute, collect_routes


def listed(routes: Sequence[GatewayRoute], api_filter: ApiFilter | None = None) -> list[GatewayRoute]:
    """Routes as the old server listed them.

    No filter lists every route that is not deprecated; a level lists that level's
    routes that are not deprecated; ``deprecated`` lists the deprecated routes of any level.
    """
    if api_filter == "deprecated":
        return [route for route in routes if route.deprecated]
    return [route for route in routes if not route.deprecated and (api_filter is None or route.level == api_filter)]


class InspectImplementation:
    """`served` is every API the server serves (both sides); `api_order` the order the old server listed them in."""

    def __init__(
        self, served: Sequence[ServedApi], provider_types: Callable[[str], list[str]], api_order: Sequence[str] = ()
    ) -> None:
        self.served = served
        self.provider_types = provider_types
        self.api_order = list(api_order)

    @cached_property
    def routes(self) -> list[GatewayRoute]:
        # Read on the first request, once every API has started; the routes never change afterwards.
        routes = collect_routes(self.served)
        ranks = {api: rank for rank, api in enumerate(self.api_order)}
        return sorted(routes, key=lambda route: ranks.get(route.api, len(ranks)))

    async def health(self) -> HealthInfo:
        return HealthInfo()

    async def version(self) -> VersionInfo:
        return VersionInfo(version=__version__)

    async def list_routes(self, api_filter: ApiFilter | None = None) -> ListRoutesResponse:
        return ListRoutesResponse(
            data=[
                RouteInfo(route=route.template, method=route.method, provider_types=self.provider_types(route.api))
                for route in listed(self.routes, api_filter)
            ]
        )


def inspect_factory(
    api_order: Sequence[str] = (),
) -> Callable[[ApiContext], AbstractAsyncContextManager[InspectImplementation]]:
    """The implementation factory; the listing shows APIs in `api_order`, then the others in registration order."""

    @asynccontextmanager
    async def open_inspect(context: ApiContext) -> AsyncIterator[InspectImplementation]:
        yield InspectImplementation(
            context.served, context.implementation(ProvidersImplementation).provider_types, api_order
        )

    return open_inspect
