"""Mode `shadow`: legacy answers every request; the router is compared on the same calls, off the client's path."""

from __future__ import annotations

from starlette.types import Scope

from gateway.request_log import Answer
from gateway.routes import RouteMatch
from gateway.shadow_results import ShadowedRoute
from gateway.shadowing import ShadowedApp
from gateway.strategies import RouteServing


class ShadowStrategy:
    """Legacy's answer, its exchange then replayed against the router by the worker's shadow runner.

    The auth guard stands in front of both: the router sees the user legacy saw.
    """

    def __init__(self, serving: RouteServing) -> None:
        route, decision = serving.route, serving.decision
        shadowed = ShadowedApp(
            serving.apps["legacy"],
            serving.apps["migrated"],
            ShadowedRoute(route.api, route.method, route.template),
            serving.shadow.runner,
            sample=decision.sample,
            body_limit=serving.shadow.body_limit,
            keep=serving.recording.keeper(route.api, route.key, decision.record),
        )
        self._answer = Answer(
            app=serving.guard(shadowed),
            backend="legacy",
            reason=decision.reason,
            api=route.api,
            route=route.template,
            done=serving.recorder("legacy"),
            mode=decision.mode,
        )

    def answer(self, scope: Scope, match: RouteMatch) -> Answer:
        return self._answer
