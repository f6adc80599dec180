from __future__ import annotations

from typing import Any, Protocol

import httpx
import pytest

from legacy_adapter import ImplementationError, Nested, ProtocolDefinitionError, create_legacy_app, webmethod
from legacy_adapter.protocols import declared_routes


class Tools(Protocol):
    @webmethod(route="/tools", method="GET")
    async def list_tools(self) -> list[str]: ...


class Rag(Protocol):
    @webmethod(route="/tools/rag/query")
    async def query(self, text: str) -> dict[str, Any]: ...


class Empty(Protocol):
    async def nothing(self) -> None: ...


class RagTool:
    async def query(self, text: str) -> dict[str, Any]:
        return {"answer": text.upper()}


class Runtime:
    def __init__(self) -> None:
        self.rag_tool = RagTool()

    async def list_tools(self) -> list[str]:
        return ["rag_tool"]


def test_routes_of_every_protocol_in_order_with_attribute_paths() -> None:
    routes = declared_routes([Tools, Nested("rag_tool", Rag), Empty])
    assert [(route.name, route.protocol) for route in routes] == [("list_tools", Tools), ("rag_tool.query", Rag)]


@pytest.mark.anyio
async def test_a_nested_protocol_is_served_by_the_implementations_attribute() -> None:
    app = create_legacy_app([Tools, Nested("rag_tool", Rag), Empty], Runtime())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        assert (await client.get("/v1/tools")).json() == ["rag_tool"]
        assert (await client.post("/v1/tools/rag/query", json={"text": "hi"})).json() == {"answer": "HI"}
    assert app.title == "Tools"


def test_an_empty_protocol_serves_nothing() -> None:
    app = create_legacy_app(Empty, object(), title="empty")
    assert app.openapi()["paths"] == {}


def test_a_missing_nested_attribute_names_the_closest() -> None:
    class Misnamed:
        rag_tools = RagTool()

    with pytest.raises(
        ImplementationError,
        match=r"API 'tools': protocol Rag routes POST /v1/tools/rag/query to method 'rag_tool.query', "
        r"which the implementation \(Misnamed\) does not have; the closest name on it is 'rag_tools'",
    ):
        create_legacy_app(Nested("rag_tool", Rag), Misnamed(), title="tools")


def test_an_attribute_that_is_not_a_method_is_refused() -> None:
    class NotCallable:
        list_tools = ["x"]

    with pytest.raises(ImplementationError, match="'list_tools', which is a list on the implementation, not a method"):
        create_legacy_app(Tools, NotCallable(), title="tools")


def test_what_is_not_a_protocol_is_refused() -> None:
    with pytest.raises(ProtocolDefinitionError, match="serves protocol classes or Nested"):
        create_legacy_app([Tools, "Rag"], None)  # type: ignore[list-item]
    with pytest.raises(ProtocolDefinitionError, match="dotted Python name, not 'rag tool'"):
        Nested("rag tool", Rag)
