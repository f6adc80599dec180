"""How a request is answered: one small object per mode, chosen once per route and flags snapshot.

The dispatcher matches a request and asks the plan's strategy for its `Answer`; it knows no
mode. A new mode is a new module here and one entry in `gateway.plan.STRATEGIES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from starlette.types import ASGIApp, Scope

from gateway.flags import Decision
from gateway.modes import Side
from gateway.recording import Recording
from gateway.request_log import Answer, Done
from gateway.rollout.context import RolloutContext
from gateway.routes import GatewayRoute, RouteMatch
from gateway.shadowing import Shadowing


class Strategy(Protocol):
    """Picks, per request, the answer of a route (or of a request no route matched)."""

    def answer(self, scope: Scope, match: RouteMatch) -> Answer: ...


@dataclass(frozen=True)
class RouteServing:
    """What a strategy serves one route with under one flags snapshot."""

    route: GatewayRoute
    decision: Decision
    apps: Mapping[Side, ASGIApp]
    """The route's API's app of each side it has."""
    guard: Callable[[ASGIApp], ASGIApp]
    """The route's auth requirement in front of an app: a strategy puts it around all it runs for a
    request, once, so every side it runs sees the same `scope["user"]`."""
    recorder: Callable[[Side], Done]
    """What a request answered by a side adds to the stats and metrics."""
    shadow: Shadowing
    """The worker's shadow queue and limits, for the strategies that compare the router."""
    rollout: RolloutContext
    """What canary routes of the worker share."""
    recording: Recording
    """The worker's recording files, for the modes in which legacy answers."""
