"""Synthetic APIs registered the way the example APIs are, for measuring how dispatch scales.

API ``synthNNN`` has `ROUTES_PER_API` routes ``GET /v1/synthNNN/rJ/{item_id}``: a legacy
protocol whose methods carry ``@webmethod`` (served by `create_legacy_app`) and a
`ConventionRouter` (served by `create_router_app`), over one implementation, exactly as
`apis.registry` registers ``models``. `gateway serve --apis bench.synthetic_apis:registry_1000`
serves 1000 of them.

`raw_registry` registers one API whose apps are raw ASGI callables returning fixed bytes,
so that a gateway in front of it measures the dispatcher and nothing else.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any, Protocol, cast

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from gateway import ApiContext, ApiRegistry, __version__
from gateway.flags import FlagFile
from gateway.registry import AppFactory
from http_conventions import ConventionRouter, create_conventional_app, create_router_app, implementation
from http_conventions.routing import standard_responses
from legacy_adapter import create_legacy_app, webmethod

ROUTES_PER_API = 10
"""Every synthetic API has this many routes, so a per-API app is the same size at every scale."""


class SyntheticImplementation:
    """The one implementation of every synthetic API: it echoes which route answered."""

    async def get_item(self, api: str, route: int, item_id: str) -> dict[str, Any]:
        return {"api": api, "route": route, "id": item_id}


Service = Annotated[SyntheticImplementation, Depends(implementation)]


def api_name(index: int) -> str:
    return f"synth{index:03d}"


def route_template(api: str, route: int) -> str:
    return f"/v1/{api}/r{route}/{{item_id}}"


def last_route_path(total_routes: int, item_id: str = "item-1") -> str:
    """The concrete path of the last-registered route of a registry of `total_routes`."""
    sizes = api_sizes(total_routes)
    return route_template(api_name(len(sizes) - 1), sizes[-1] - 1).replace("{item_id}", item_id)


def api_sizes(total_routes: int) -> list[int]:
    """The routes of each API: `ROUTES_PER_API` each, the last one smaller when they do not divide."""
    whole, rest = divmod(total_routes, ROUTES_PER_API)
    return [ROUTES_PER_API] * whole + ([rest] if rest else [])


def _protocol_method(route: int) -> Callable[..., Any]:
    async def method(self: Any, item_id: str) -> dict[str, Any]:
        """Return the item.

        :param item_id: The item's id.
        """
        raise NotImplementedError

    method.__name__ = method.__qualname__ = f"get_r{route}"
    return method


def _implementation_method(api: str, route: int) -> Callable[..., Any]:
    async def method(self: SyntheticImplementation, item_id: str) -> dict[str, Any]:
        return await self.get_item(api, route, item_id)

    method.__name__ = method.__qualname__ = f"get_r{route}"
    return method


def synthetic_protocol(api: str, routes: int) -> type:
    """The legacy protocol of one synthetic API: one ``@webmethod`` GET per route."""
    namespace: dict[str, Any] = {}
    for route in range(routes):
        method = webmethod(route=route_template(api, route).removeprefix("/v1"), method="GET")(_protocol_method(route))
        namespace[method.__name__] = method
    return types.new_class(f"{api.title()}Api", (Protocol,), exec_body=lambda ns: ns.update(namespace))


def synthetic_implementation_class(api: str, routes: int) -> type[SyntheticImplementation]:
    """The implementation class of one API: the protocol's methods over `get_item`."""
    methods = {f"get_r{route}": _implementation_method(api, route) for route in range(routes)}
    return type(f"{api.title()}Implementation", (SyntheticImplementation,), methods)


def _endpoint(api: str, route: int) -> Callable[..., Any]:
    async def endpoint(item_id: str, service: Service) -> dict[str, Any]:
        return await service.get_item(api, route, item_id)

    endpoint.__name__ = endpoint.__qualname__ = f"get_r{route}"
    return endpoint


def synthetic_router(api: str, routes: int) -> ConventionRouter:
    """The migrated router of one synthetic API."""
    router = ConventionRouter(tags=[api], responses=standard_responses)
    for route in range(routes):
        router.add_api_route(route_template(api, route), _endpoint(api, route), methods=["GET"], summary="Get an item.")
    return router


def _opener(cls: type[SyntheticImplementation]) -> Callable[[ApiContext], AbstractAsyncContextManager[Any]]:
    @asynccontextmanager
    async def open_implementation(context: ApiContext) -> AsyncIterator[SyntheticImplementation]:
        yield cls()

    return open_implementation


def _legacy_factory(api: str, protocol: type) -> AppFactory:
    def build(impl: Any, context: ApiContext) -> Starlette:
        return create_legacy_app(
            protocol, impl, title=f"{api} (legacy)", version=__version__, max_body_size=context.max_body_size
        )

    return build


def _migrated_factory(api: str, routes: int) -> AppFactory:
    def build(impl: Any, context: ApiContext) -> Starlette:
        return create_router_app(
            synthetic_router(api, routes),
            impl,
            title=f"{api} (migrated)",
            version=__version__,
            max_body_size=context.max_body_size,
        )

    return build


def synthetic_registry(total_routes: int) -> ApiRegistry:
    """APIs of `ROUTES_PER_API` routes each (the last one smaller when needed), `total_routes` in all."""
    registry = ApiRegistry()
    for index, routes in enumerate(api_sizes(total_routes)):
        api = api_name(index)
        registry.register_api(
            api,
            implementation=_opener(synthetic_implementation_class(api, routes)),
            legacy=_legacy_factory(api, synthetic_protocol(api, routes)),
            migrated=_migrated_factory(api, routes),
        )
    return registry


def monolithic_app(total_routes: int, max_body_size: int | None = None) -> FastAPI:
    """One FastAPI app that includes every synthetic router: what a server without the gateway runs."""
    app = create_conventional_app(title="monolith", version=__version__, max_body_size=max_body_size)
    for index, routes in enumerate(api_sizes(total_routes)):
        app.include_router(synthetic_router(api_name(index), routes))
    app.state.implementation = SyntheticImplementation()
    return app


def mixed_mode_app(total_routes: int) -> FastAPI:
    """The reference server's mixed mode: ONE FastAPI app holding the router of every migrated API (the even
    ones) and the adapter routes of every other, each over its own implementation, in registration order."""
    app = create_conventional_app(title="mixed mode", version=__version__)
    for index, routes in enumerate(api_sizes(total_routes)):
        api = api_name(index)
        if index % 2 == 0:
            app.include_router(synthetic_router(api, routes))
        else:
            legacy = create_legacy_app(synthetic_protocol(api, routes), synthetic_implementation_class(api, routes)())
            app.router.routes.extend(route for route in legacy.routes if isinstance(route, APIRoute))
    app.state.implementation = SyntheticImplementation()
    return app


def mixed_mode_flags(total_routes: int) -> FlagFile:
    """The flags that serve `synthetic_registry(total_routes)` as `mixed_mode_app` does: even APIs migrated."""
    return FlagFile(apis={api_name(index): "migrated" for index in range(0, len(api_sizes(total_routes)), 2)})


registry_10 = synthetic_registry(10)
registry_100 = synthetic_registry(100)
registry_1000 = synthetic_registry(1000)


# The raw ASGI API: the dispatcher's own cost is the gateway in front of it minus the app alone.

RAW_PATH = "/v1/raw"
RAW_BODY = b'{"ok":true}'
_RAW_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(RAW_BODY)).encode())],
}
_RAW_BODY = {"type": "http.response.body", "body": RAW_BODY}


def _never_called(request: Request) -> Response:
    return PlainTextResponse("only the template of this route is read")


class FixedResponseApp:
    """The raw ASGI floor: fixed bytes for any request, with one `Route` so the gateway finds the template."""

    def __init__(self, path: str = RAW_PATH) -> None:
        self.routes = [Route(path, _never_called, methods=["GET"])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(_RAW_START)
        await send(_RAW_BODY)


@asynccontextmanager
async def _no_implementation(context: ApiContext) -> AsyncIterator[None]:
    yield None


def _raw_factory(impl: Any, context: ApiContext) -> Starlette:
    # The gateway needs only an ASGI callable whose `routes` name the templates.
    return cast(Starlette, FixedResponseApp())


def raw_registry() -> ApiRegistry:
    """One API, ``raw``, whose legacy and migrated apps are both `FixedResponseApp`."""
    registry = ApiRegistry()
    registry.register_api("raw", implementation=_no_implementation, legacy=_raw_factory, migrated=_raw_factory)
    return registry
