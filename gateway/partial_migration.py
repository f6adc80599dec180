"""Naming a partial migration: routes only the legacy side has, in an API that has a router.

A router that renamed a path parameter (``{thing_id}`` became ``{id}``) or left a route
out leaves that route on the legacy side while the rest of its API moves. With the API
in a mode that serves from its router, the gateway names such routes, each with the
migrated route most like it, instead of leaving them on legacy silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gateway.contract import closest_twin
from gateway.routes import GatewayRoute


@dataclass(frozen=True)
class LegacyOnlyRoute:
    """A route of an API with a router that the router does not serve."""

    route: str
    """Its route key, ``"METHOD <template>"``."""
    closest_migrated: str | None
    """The key of the router's own route most like it: the same path with renamed parameters, if there is one."""

    def as_dict(self) -> dict[str, str | None]:
        return {"route": self.route, "closest_migrated": self.closest_migrated}

    def describe(self, api: str) -> str:
        """One line for a person: which route stays legacy, and what the router has instead."""
        hint = f'; closest migrated route: "{self.closest_migrated}"' if self.closest_migrated else ""
        return f'{api}: route "{self.route}" has no migrated twin and stays on legacy{hint}'


def _closest_twin(route: GatewayRoute, candidates: list[GatewayRoute]) -> str | None:
    # Paired as `gateway diff` pairs operations, so both name the same twin.
    twin = closest_twin(
        route.method, route.template, [(candidate.method, candidate.template) for candidate in candidates]
    )
    return " ".join(twin) if twin else None


def legacy_only_routes(routes: Iterable[GatewayRoute]) -> dict[str, tuple[LegacyOnlyRoute, ...]]:
    """By API that has a router, its routes without a migrated twin (APIs with none are left out)."""
    by_api: dict[str, list[GatewayRoute]] = {}
    for route in routes:
        by_api.setdefault(route.api, []).append(route)
    found: dict[str, tuple[LegacyOnlyRoute, ...]] = {}
    for api, api_routes in by_api.items():
        migrated_only = [route for route in api_routes if route.migrated and not route.legacy]
        legacy_only = [route for route in api_routes if route.legacy and not route.migrated]
        # An API without any migrated route has no router: it is not migrated at all, not partly.
        if legacy_only and any(route.migrated for route in api_routes):
            found[api] = tuple(LegacyOnlyRoute(route.key, _closest_twin(route, migrated_only)) for route in legacy_only)
    return found
