from __future__ import annotations

from gateway.partial_migration import LegacyOnlyRoute, legacy_only_routes
from gateway.routes import GatewayRoute


def _route(api: str, key: str, *, legacy: bool = True, migrated: bool = True) -> GatewayRoute:
    method, template = key.split(" ", 1)
    return GatewayRoute(api, method, template, legacy=legacy, migrated=migrated)


def test_partial_migration_renamed_path_parameter_points_at_the_renamed_twin() -> None:
    routes = [
        _route("things", "GET /v1/things"),
        _route("things", "GET /v1/things/{thing_id}", migrated=False),
        _route("things", "DELETE /v1/things/{id}", legacy=False),
        _route("things", "GET /v1/things/{id}", legacy=False),
    ]
    assert legacy_only_routes(routes) == {
        "things": (LegacyOnlyRoute("GET /v1/things/{thing_id}", "GET /v1/things/{id}"),),
    }


def test_partial_migration_renamed_path_points_at_the_most_similar_route_of_the_same_method() -> None:
    routes = [
        _route("things", "POST /v1/things/{thing_id}/cancel", migrated=False),
        _route("things", "POST /v1/thing/{thing_id}/cancel", legacy=False),
        _route("things", "GET /v1/thing/{thing_id}/cancel", legacy=False),
    ]
    found = legacy_only_routes(routes)["things"]
    assert found == (LegacyOnlyRoute("POST /v1/things/{thing_id}/cancel", "POST /v1/thing/{thing_id}/cancel"),)


def test_partial_migration_route_left_out_of_the_router_has_no_closest_route() -> None:
    routes = [_route("things", "GET /v1/things"), _route("things", "GET /v1/things/{thing_id}/parts", migrated=False)]
    assert legacy_only_routes(routes) == {"things": (LegacyOnlyRoute("GET /v1/things/{thing_id}/parts", None),)}


def test_partial_migration_api_without_router_or_with_every_twin_is_not_partial() -> None:
    routes = [
        _route("providers", "GET /v1/providers", migrated=False),
        _route("models", "GET /v1/models"),
        _route("models", "GET /v1/models/{model_id:path}"),
    ]
    assert legacy_only_routes(routes) == {}


def test_partial_migration_describes_the_route_and_its_closest_twin() -> None:
    found = LegacyOnlyRoute("GET /v1/things/{thing_id}", "GET /v1/things/{id}")
    assert found.describe("things") == (
        'things: route "GET /v1/things/{thing_id}" has no migrated twin and stays on legacy; '
        'closest migrated route: "GET /v1/things/{id}"'
    )
    assert found.as_dict() == {"route": "GET /v1/things/{thing_id}", "closest_migrated": "GET /v1/things/{id}"}
