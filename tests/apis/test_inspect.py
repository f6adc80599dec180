"""The inspect API served by the legacy adapter: health, version and the route listing with its filters."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from apis.inspect.implementation import listed
from apis.inspect.models import ApiFilter
from apis.registry import registry
from gateway import __version__
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.routes import GatewayRoute
from gateway.settings import ServerSettings

pytestmark = pytest.mark.anyio


@pytest.fixture
def client(shared_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """One server for the module: these tests change no state that another test reads."""
    return shared_client


# Every non-deprecated route, in declaration order: templates as registered, declared PUT served (and listed) as POST.
LISTED_ROUTES = [
    ("/v1/models", "GET", "inline::sqlite"),
    ("/v1/models/{model_id:path}", "GET", "inline::sqlite"),
    ("/v1/models", "POST", "inline::sqlite"),
    ("/v1/models/{model_id:path}", "POST", "inline::sqlite"),
    ("/v1/models/{model_id:path}", "DELETE", "inline::sqlite"),
    ("/v1/files", "POST", "inline::localfs"),
    ("/v1/files", "GET", "inline::localfs"),
    ("/v1/files/{file_id}", "GET", "inline::localfs"),
    ("/v1/files/{file_id}", "DELETE", "inline::localfs"),
    ("/v1/files/{file_id}/content", "GET", "inline::localfs"),
    ("/v1/batches", "POST", "inline::reference"),
    ("/v1/batches/{batch_id}", "GET", "inline::reference"),
    ("/v1/batches/{batch_id}/cancel", "POST", "inline::reference"),
    ("/v1/batches", "GET", "inline::reference"),
    ("/v1/chat/completions", "POST", "inline::builtin"),
    ("/v1alpha/inference/chat-completion", "POST", "inline::builtin"),
    ("/v1/health", "GET", "inline::builtin"),
    ("/v1/version", "GET", "inline::builtin"),
    ("/v1/inspect/routes", "GET", "inline::builtin"),
    ("/v1/providers", "GET", "inline::builtin"),
    ("/v1/providers/{provider_id}", "GET", "inline::builtin"),
]
V1_ROUTES = [route for route in LISTED_ROUTES if route[0].startswith("/v1/")]
V1ALPHA_ROUTES = [route for route in LISTED_ROUTES if route[0].startswith("/v1alpha/")]
DEPRECATED_ROUTES = [("/v1/openai/v1/models", "GET", "inline::sqlite")]


def as_listed(routes: list[tuple[str, str, str]]) -> list[dict[str, object]]:
    return [{"route": route, "method": method, "provider_types": [provider]} for route, method, provider in routes]


async def test_inspect_health_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "OK"}


async def test_inspect_version_is_the_package_version(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/version")

    assert response.status_code == 200
    assert response.json() == {"version": __version__}


async def test_inspect_routes_without_filter_lists_every_route_but_the_deprecated(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/inspect/routes")

    assert response.status_code == 200
    assert response.json() == {"data": as_listed(LISTED_ROUTES)}


async def test_inspect_routes_lists_declared_put_as_post(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/v1/inspect/routes")).json()["data"]

    assert {"route": "/v1/models/{model_id:path}", "method": "POST", "provider_types": ["inline::sqlite"]} in listed
    assert "PUT" not in {entry["method"] for entry in listed}


@pytest.mark.parametrize(
    ("api_filter", "expected"),
    [
        pytest.param("v1", V1_ROUTES, id="v1"),
        pytest.param("v1alpha", V1ALPHA_ROUTES, id="v1alpha"),
        pytest.param("v1beta", [], id="v1beta-none"),
        pytest.param("deprecated", DEPRECATED_ROUTES, id="deprecated"),
    ],
)
async def test_inspect_routes_filter_lists_that_level_or_the_deprecated(
    client: httpx.AsyncClient, api_filter: str, expected: list[tuple[str, str, str]]
) -> None:
    response = await client.get("/v1/inspect/routes", params={"api_filter": api_filter})

    assert response.status_code == 200
    assert response.json() == {"data": as_listed(expected)}


@pytest.mark.parametrize("api_filter", ["bogus", "V1", ""])
async def test_inspect_routes_unknown_filter_is_a_validation_error(client: httpx.AsyncClient, api_filter: str) -> None:
    response = await client.get("/v1/inspect/routes", params={"api_filter": api_filter})

    assert response.status_code == 400
    assert [error["loc"] for error in response.json()["error"]["detail"]["errors"]] == [["query", "api_filter"]]


PATH_PARAMETERS = {
    "{model_id:path}": "org/missing",
    "{file_id}": "missing",
    "{batch_id}": "missing",
    "{provider_id}": "x",
}


@pytest.mark.parametrize(
    ("route", "method"),
    [pytest.param(route, method, id=f"{method} {route}") for route, method, _ in LISTED_ROUTES + DEPRECATED_ROUTES],
)
async def test_inspect_every_listed_route_is_served(client: httpx.AsyncClient, route: str, method: str) -> None:
    path = route
    for template, value in PATH_PARAMETERS.items():
        path = path.replace(template, value)

    response = await client.request(method, path)

    # An unrouted request gets 405 or 404 "Not Found"; a listed route reaches its endpoint (which may still refuse).
    assert response.status_code != 405
    assert response.json() != {"detail": "Not Found"}


def _route(method: str, template: str, *, deprecated: bool = False) -> GatewayRoute:
    return GatewayRoute("things", method, template, legacy=True, migrated=False, deprecated=deprecated)


LEVELLED = [
    _route("GET", "/v1/models"),
    _route("GET", "/v1/openai/v1/models", deprecated=True),
    _route("POST", "/v1alpha/eval"),
    _route("POST", "/v1alpha/eval/old", deprecated=True),
    _route("GET", "/v1beta/responses"),
]


@pytest.mark.parametrize(
    ("api_filter", "expected"),
    [
        pytest.param(None, ["/v1/models", "/v1alpha/eval", "/v1beta/responses"], id="none-hides-deprecated"),
        pytest.param("v1beta", ["/v1beta/responses"], id="v1beta"),
        pytest.param("deprecated", ["/v1/openai/v1/models", "/v1alpha/eval/old"], id="deprecated-of-any-level"),
    ],
)
def test_inspect_listing_filters_by_level_and_deprecation(api_filter: ApiFilter | None, expected: list[str]) -> None:
    assert [route.template for route in listed(LEVELLED, api_filter)] == expected


async def test_inspect_routes_are_the_same_whichever_side_serves(tmp_path: Path) -> None:
    listings = []
    for side in ("legacy", "migrated"):
        app = GatewayApp(registry, ServerSettings(data_dir=tmp_path / side), flags=FlagFile(default=side))
        async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
            response = await client.get("/v1/inspect/routes")
            assert response.headers["x-gateway-backend"] == side
            listings.append(response.json())

    assert listings[0] == listings[1] == {"data": as_listed(LISTED_ROUTES)}
