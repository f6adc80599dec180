"""What a legacy app serves on each route, read as plain data by the adapter's own rules."""

from __future__ import annotations

from typing import Protocol

import pytest
from fastapi import FastAPI
from starlette.responses import Response

from legacy_adapter import ProtocolDefinitionError, create_legacy_app, webmethod
from legacy_adapter.served_routes import ServedRoute, served_routes
from tests.legacy_adapter.toy_api import WidgetsApi, WidgetsImpl


class GuardedApi(Protocol):
    @webmethod(route="/health", method="GET", require_authentication=False, required_scope="ignored")
    async def health(self) -> dict[str, str]: ...

    @webmethod(route="/things/{thing_id}", method="DELETE", required_scope="things:write")
    async def delete_thing(self, thing_id: str) -> None: ...

    @webmethod(route="/things/{thing_id}/content", method="GET")
    async def content(self, thing_id: str) -> Response: ...


class Guarded:
    async def health(self) -> dict[str, str]:
        return {}

    async def delete_thing(self, thing_id: str) -> None:
        return None

    async def content(self, thing_id: str) -> Response:
        return Response()


def _by_route(routes: list[ServedRoute]) -> dict[str, ServedRoute]:
    return {f"{route.method} {route.path}": route for route in routes}


def test_served_routes_say_where_each_parameter_is_read_from() -> None:
    routes = _by_route(served_routes(create_legacy_app(WidgetsApi, WidgetsImpl())))

    listing = routes["GET /v1/widgets"]
    assert [(p.name, p.source) for p in listing.parameters] == [
        ("color", "query"),
        ("order", "query"),
        ("limit", "query"),
    ]
    assert (listing.summary, listing.description, listing.returns) == (
        "List the widgets.",
        "Widgets are listed in the order asked for.",
        "The widgets.",
    )
    assert listing.parameter_docs["limit"] == "How many widgets to list at most."
    update = routes["POST /v1/widgets/{widget_id}"]
    assert (update.declared_method, update.embedded_body) == ("PUT", True)
    assert [(p.name, p.source) for p in update.parameters] == [("widget_id", "path"), ("size", "body")]
    upload = routes["POST /v1/files"]
    assert ([p.source for p in upload.parameters], upload.embedded_body) == (["form", "form"], False)
    assert routes["GET /v1/files/{path:path}"].parameters[0].source == "path"
    assert routes["GET /v1/legacy/widgets/{widget_id}"].deprecated is True


def test_served_routes_say_how_each_route_answers() -> None:
    routes = _by_route(served_routes(create_legacy_app(WidgetsApi, WidgetsImpl())))

    assert routes["DELETE /v1/widgets/{widget_id}"].status_code == 204
    assert routes["POST /v1/widgets/{widget_id}/touch"].status_code is None
    assert routes["POST /v1/chat"].stream_argument == "stream"
    complete = routes["POST /v1/completions"]
    assert (complete.stream_argument, complete.embedded_body, complete.parameters[0].source) == (
        "params",
        False,
        "body",
    )
    assert routes["GET /v1/widgets"].stream_argument is None
    assert complete.protocol == "tests.legacy_adapter.toy_api:WidgetsApi" and complete.method_name == "complete"


def test_served_routes_say_who_may_call_and_what_a_raw_response_is() -> None:
    routes = _by_route(served_routes(create_legacy_app(GuardedApi, Guarded())))

    assert (routes["GET /v1/health"].public, routes["GET /v1/health"].required_scope) == (True, "ignored")
    delete = routes["DELETE /v1/things/{thing_id}"]
    assert (delete.public, delete.required_scope, delete.status_code) == (False, "things:write", 204)
    assert routes["GET /v1/things/{thing_id}/content"].raw_response is True


def test_served_routes_of_an_app_the_adapter_did_not_build_is_an_error() -> None:
    with pytest.raises(ProtocolDefinitionError, match="was not built by create_legacy_app"):
        served_routes(FastAPI())
