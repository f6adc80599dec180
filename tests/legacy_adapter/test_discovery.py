from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, Protocol, TypeVar

import httpx
import pytest

from legacy_adapter import (
    AdapterError,
    ImplementationError,
    ProtocolDefinitionError,
    create_legacy_app,
    discover_routes,
    served_method,
    webmethod,
)
from tests.legacy_adapter.toy_api import WidgetsApi

F = TypeVar("F", bound=Callable[..., Any])


class OrderedApi(Protocol):
    @webmethod(route="/zebras", method="GET")
    async def zebras(self) -> None: ...

    @webmethod(route="/apples", method="POST")
    @webmethod(route="/apples/legacy", method="POST", deprecated=True)
    async def apples(self) -> None: ...

    @webmethod(route="/mangoes/{mango_id}", method="DELETE")
    async def mangoes(self, mango_id: str) -> None: ...


def _foreign(**fields: Any) -> Callable[[F], F]:
    """Mark a function the way a team's own decorator would: records of another class."""

    def decorate(func: F) -> F:
        func.__webmethods__ = [SimpleNamespace(**fields)]  # type: ignore[attr-defined]
        return func

    return decorate


class ForeignApi(Protocol):
    @_foreign(route="/things/{thing_id}", method="get", level="v1beta", deprecated=True)
    async def get_thing(self, thing_id: str) -> dict[str, str]: ...


class ForeignImpl:
    async def get_thing(self, thing_id: str) -> dict[str, str]:
        return {"thing_id": thing_id}


def test_discovery_order_follows_definition_order() -> None:
    routes = discover_routes(OrderedApi)
    assert [(r.name, r.path) for r in routes] == [
        ("zebras", "/v1/zebras"),
        ("apples", "/v1/apples"),
        ("apples", "/v1/apples/legacy"),
        ("mangoes", "/v1/mangoes/{mango_id}"),
    ]


def test_discovery_lists_inherited_routes_first() -> None:
    class ExtendedApi(OrderedApi, Protocol):
        @webmethod(route="/bananas", method="GET")
        async def bananas(self) -> None: ...

    assert [r.name for r in discover_routes(ExtendedApi)] == ["zebras", "apples", "apples", "mangoes", "bananas"]


def test_discovery_keeps_declared_method_and_record() -> None:
    route = next(r for r in discover_routes(WidgetsApi) if r.name == "update_widget")
    assert (route.method, route.declared_method, route.level) == ("POST", "PUT", "v1")
    assert route.webmethod.route == "/widgets/{widget_id}"
    assert route.protocol_function is WidgetsApi.__dict__["update_widget"]


@pytest.mark.parametrize(
    ("declared", "served"),
    [
        pytest.param("GET", "GET", id="get-kept"),
        pytest.param("delete", "DELETE", id="delete-kept"),
        pytest.param("POST", "POST", id="post-kept"),
        pytest.param("PUT", "POST", id="put-as-post"),
        pytest.param("patch", "POST", id="patch-as-post"),
    ],
)
def test_served_method_keeps_get_and_delete_and_coerces_the_rest_to_post(declared: str, served: str) -> None:
    assert served_method(declared) == served


def test_protocol_without_webmethods_declares_no_routes() -> None:
    class Undecorated(Protocol):
        async def nothing(self) -> None: ...

    assert discover_routes(Undecorated) == []


def test_record_without_route_raises_protocol_definition_error() -> None:
    class Broken(Protocol):
        @_foreign(method="GET", level="v1")
        async def broken(self) -> None: ...

    with pytest.raises(ProtocolDefinitionError, match=r"Broken\.broken"):
        discover_routes(Broken)


def test_implementation_missing_a_method_raises_implementation_error() -> None:
    class Partial:
        async def zebras(self) -> None: ...

        async def apples(self) -> None: ...

        async def mangos(self) -> None: ...

    expected = (
        r"API 'orchard': protocol OrderedApi routes DELETE /v1/mangoes/\{mango_id\} to method 'mangoes', "
        r"which the implementation \(Partial\) does not have; the closest name on it is 'mangos'"
    )
    with pytest.raises(ImplementationError, match=expected):
        create_legacy_app(OrderedApi, Partial(), title="orchard")


def test_build_errors_share_the_adapter_error_base() -> None:
    assert issubclass(ProtocolDefinitionError, AdapterError)
    assert issubclass(ImplementationError, AdapterError)


def test_foreign_decorator_records_are_discovered() -> None:
    (route,) = discover_routes(ForeignApi)
    assert (route.path, route.method, route.level) == ("/v1beta/things/{thing_id}", "GET", "v1beta")
    assert route.deprecated is True


@pytest.mark.anyio
async def test_foreign_decorator_records_are_served() -> None:
    app = create_legacy_app(ForeignApi, ForeignImpl())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        response = await client.get("/v1beta/things/t1")
    assert response.status_code == 200
    assert response.json() == {"thing_id": "t1"}
