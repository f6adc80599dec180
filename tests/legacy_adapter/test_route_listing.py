from __future__ import annotations

from typing import Protocol

import pytest

from legacy_adapter import ApiFilter, WebRoute, discover_routes, filter_routes, webmethod


class ListedApi(Protocol):
    @webmethod(route="/models", method="GET")
    @webmethod(route="/openai/v1/models", method="GET", deprecated=True)
    async def list_models(self) -> None: ...

    @webmethod(route="/models", method="POST")
    async def register_model(self) -> None: ...

    @webmethod(route="/eval", method="POST", level="v1alpha")
    @webmethod(route="/eval/old", method="POST", level="v1alpha", deprecated=True)
    async def run_eval(self) -> None: ...

    @webmethod(route="/responses", method="GET", level="v1beta")
    async def list_responses(self) -> None: ...


@pytest.fixture
def routes() -> list[WebRoute]:
    return discover_routes(ListedApi)


def _listed(routes: list[WebRoute]) -> list[tuple[str, str]]:
    return [(route.method, route.path) for route in routes]


def test_no_filter_lists_every_level_and_hides_deprecated(routes: list[WebRoute]) -> None:
    assert _listed(filter_routes(routes)) == [
        ("GET", "/v1/models"),
        ("POST", "/v1/models"),
        ("POST", "/v1alpha/eval"),
        ("GET", "/v1beta/responses"),
    ]


@pytest.mark.parametrize(
    ("api_filter", "expected"),
    [
        pytest.param("v1", [("GET", "/v1/models"), ("POST", "/v1/models")], id="v1"),
        pytest.param("v1alpha", [("POST", "/v1alpha/eval")], id="v1alpha"),
        pytest.param("v1beta", [("GET", "/v1beta/responses")], id="v1beta"),
    ],
)
def test_level_filter_lists_only_that_level_without_deprecated(
    routes: list[WebRoute], api_filter: ApiFilter, expected: list[tuple[str, str]]
) -> None:
    assert _listed(filter_routes(routes, api_filter)) == expected


def test_deprecated_filter_lists_deprecated_routes_of_any_level(routes: list[WebRoute]) -> None:
    assert _listed(filter_routes(routes, "deprecated")) == [
        ("GET", "/v1/openai/v1/models"),
        ("POST", "/v1alpha/eval/old"),
    ]


def test_filter_accepts_any_iterable_of_routes(routes: list[WebRoute]) -> None:
    assert filter_routes(iter(routes), "v1beta") == filter_routes(routes, "v1beta")
