"""Per flags snapshot, once: the strategy of every route, so a request needs one dict lookup."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from starlette.types import ASGIApp

from gateway.auth import GatewayAuth
from gateway.flags import FlagsSnapshot
from gateway.modes import Mode, Side
from gateway.recording import Recording
from gateway.request_log import Done
from gateway.rollout.context import RolloutContext
from gateway.routes import GatewayRoute
from gateway.shadowing import Shadowing
from gateway.strategies import RouteServing, Strategy
from gateway.strategies.canary import CanaryStrategy
from gateway.strategies.forced import ForcedSide
from gateway.strategies.serve import ServeSide
from gateway.strategies.shadow import ShadowStrategy

STRATEGIES: Mapping[Mode, Callable[[RouteServing], Strategy]] = {
    "legacy": ServeSide,
    "migrated": ServeSide,
    "shadow": ShadowStrategy,
    "canary": CanaryStrategy,
}
"""The strategy of each mode: a mode joins the gateway with its strategy module and an entry here."""


@dataclass(frozen=True)
class Plan:
    """How each route is served under one flags snapshot; a request no route matched goes to `unmatched`."""

    snapshot: FlagsSnapshot | None
    by_route: Mapping[str | None, Strategy]
    unmatched: Strategy

    def strategy(self, route_key: str | None) -> Strategy:
        return self.by_route.get(route_key, self.unmatched)


def build_plan(
    snapshot: FlagsSnapshot,
    routes: tuple[GatewayRoute, ...],
    apps: Mapping[str, Mapping[Side, ASGIApp]],
    auth: GatewayAuth,
    recorder: Callable[[GatewayRoute, Side], Done],
    unmatched: Strategy,
    shadow: Shadowing,
    rollout: RolloutContext,
    recording: Recording,
    allow_force_header: bool = False,
) -> Plan:
    """The plan of `snapshot`: each route's mode's strategy over its API's apps, behind its auth requirement.

    With `allow_force_header`, `x-gateway-force-backend` on a request picks its side first.
    """
    by_route: dict[str | None, Strategy] = {}
    for route in routes:
        decision = snapshot.decisions[route.key]
        serving = RouteServing(
            route=route,
            decision=decision,
            apps=apps[route.api],
            guard=partial(auth.guard, route),
            recorder=partial(recorder, route),
            shadow=shadow,
            rollout=rollout,
            recording=recording,
        )
        strategy = STRATEGIES[decision.mode](serving)
        by_route[route.key] = ForcedSide(strategy, serving) if allow_force_header else strategy
    return Plan(snapshot, by_route, unmatched)
