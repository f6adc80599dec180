from __future__ import annotations

from typing import Any, Protocol

import httpx
import pytest

from legacy_adapter import LEVELS, WebMethod, create_legacy_app, discover_routes, webmethod


def test_webmethod_records_its_arguments_on_the_function() -> None:
    @webmethod(route="/widgets", method="put", level="v1beta", deprecated=True, required_scope="admin")
    async def update() -> None: ...

    (record,) = update.__webmethods__  # type: ignore[attr-defined]
    assert record == WebMethod(route="/widgets", method="PUT", level="v1beta", deprecated=True, required_scope="admin")


def test_webmethod_requires_authentication_by_default() -> None:
    @webmethod(route="/widgets")
    async def create() -> None: ...

    (record,) = create.__webmethods__  # type: ignore[attr-defined]
    assert record.require_authentication is True
    assert (record.method, record.level) == ("POST", "v1")


def test_webmethod_invalid_level_raises_value_error() -> None:
    with pytest.raises(ValueError, match="v1, v1alpha, v1beta"):
        webmethod(route="/widgets", level="v2")  # type: ignore[arg-type]


def test_stacked_webmethods_are_listed_in_source_order() -> None:
    @webmethod(route="/first", method="GET")
    @webmethod(route="/second", method="GET")
    async def both() -> None: ...

    assert [r.route for r in both.__webmethods__] == ["/first", "/second"]  # type: ignore[attr-defined]


class LevelsApi(Protocol):
    @webmethod(route="/stable", method="GET", level="v1")
    async def stable(self) -> dict[str, Any]: ...

    @webmethod(route="/alpha", method="GET", level="v1alpha")
    async def alpha(self) -> dict[str, Any]: ...

    @webmethod(route="beta", method="GET", level="v1beta")
    async def beta(self) -> dict[str, Any]: ...


class LevelsImpl:
    async def stable(self) -> dict[str, Any]:
        return {"served": "stable"}

    async def alpha(self) -> dict[str, Any]:
        return {"served": "alpha"}

    async def beta(self) -> dict[str, Any]:
        return {"served": "beta"}


def test_levels_are_the_three_known_prefixes() -> None:
    assert LEVELS == ("v1", "v1alpha", "v1beta")


def test_route_path_is_level_then_route_without_leading_slash() -> None:
    assert [route.path for route in discover_routes(LevelsApi)] == ["/v1/stable", "/v1alpha/alpha", "/v1beta/beta"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "served"),
    [
        pytest.param("/v1/stable", "stable", id="v1"),
        pytest.param("/v1alpha/alpha", "alpha", id="v1alpha"),
        pytest.param("/v1beta/beta", "beta", id="v1beta"),
    ],
)
async def test_level_is_served_as_path_prefix(path: str, served: str) -> None:
    app = create_legacy_app(LevelsApi, LevelsImpl())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        response = await client.get(path)
    assert response.status_code == 200
    assert response.json() == {"served": served}


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/v1/alpha", id="alpha-route-under-v1"),
        pytest.param("/alpha", id="no-level"),
        pytest.param("/v1beta/stable", id="stable-route-under-v1beta"),
    ],
)
async def test_route_is_not_served_under_another_level(path: str) -> None:
    app = create_legacy_app(LevelsApi, LevelsImpl())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        response = await client.get(path)
    assert response.status_code == 404
