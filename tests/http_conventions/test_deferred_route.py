from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from http_conventions import ConventionRouter, create_router_app
from http_conventions.deferred_route import DeferredRoute, RouteBuildError, build_first_routes


class NotAModel:
    """A parameter type FastAPI cannot read from a request."""


def _router() -> ConventionRouter:
    router = ConventionRouter()

    @router.get("/v1/items/{item_id}")
    async def get_item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    @router.get("/v1/other/{other_id}")
    async def get_other(other_id: str) -> dict[str, str]:
        return {"id": other_id}

    @router.get("/v1/broken")
    async def broken(thing: NotAModel) -> dict[str, str]:
        return {}

    return router


def _routes(app: FastAPI) -> dict[str, DeferredRoute]:
    return {route.path: route for route in app.routes if isinstance(route, DeferredRoute)}


@pytest.mark.anyio
async def test_a_route_is_built_by_its_first_request_and_its_neighbours_only_match() -> None:
    app = create_router_app(_router(), object(), title="items")
    routes = _routes(app)
    # What names a route is there before anything is built: the gateway reads it at start-up.
    assert routes["/v1/broken"].methods == {"GET"} and routes["/v1/broken"].name == "broken"
    assert all("dependant" not in vars(route) for route in routes.values())

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        response = await client.get("/v1/other/7")

    assert response.json() == {"id": "7"}
    assert "dependant" in vars(routes["/v1/other/{other_id}"])
    # The route tried first matched its path only: the request paid for one route's build.
    tried_first = vars(routes["/v1/items/{item_id}"])
    assert "path_regex" in tried_first and "dependant" not in tried_first


def test_a_route_that_cannot_be_built_names_itself_on_first_use() -> None:
    app = create_router_app(_router(), object(), title="items")

    with pytest.raises(RouteBuildError, match=r"route GET /v1/broken \(broken\) cannot be built: .*NotAModel"):
        _ = _routes(app)["/v1/broken"].dependant


@pytest.mark.anyio
async def test_a_route_that_cannot_be_built_answers_500_and_leaves_the_others_served() -> None:
    app = create_router_app(_router(), object(), title="items")
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)

    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        broken = await client.get("/v1/broken")
        again = await client.get("/v1/broken")
        served = await client.get("/v1/items/1")

    assert (broken.status_code, again.status_code) == (500, 500)
    assert served.json() == {"id": "1"}


def test_build_first_routes_builds_one_route_of_each_app() -> None:
    apps = [create_router_app(_router(), object(), title=title) for title in ("one", "two")]

    build_first_routes([*apps, object()])

    for app in apps:
        first, *others = _routes(app).values()
        assert "dependant" in vars(first)
        assert all("dependant" not in vars(route) for route in others)


def test_build_first_routes_passes_over_a_route_that_cannot_be_built() -> None:
    router = ConventionRouter()

    @router.get("/v1/broken")
    async def broken(thing: NotAModel) -> dict[str, str]:
        return {}

    @router.get("/v1/fine")
    async def fine() -> dict[str, str]:
        return {}

    app = create_router_app(router, object(), title="items")

    build_first_routes([app])

    assert "dependant" in vars(_routes(app)["/v1/fine"])
