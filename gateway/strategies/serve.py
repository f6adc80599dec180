"""Modes `legacy` and `migrated`: one side answers every request of the route."""

from __future__ import annotations

from starlette.types import Scope

from gateway.recording import recorded
from gateway.request_log import Answer
from gateway.routes import RouteMatch
from gateway.strategies import RouteServing


class ServeSide:
    """The side the flags chose answers; the answer is made once per flags snapshot."""

    def __init__(self, serving: RouteServing) -> None:
        side, route = serving.decision.backend, serving.route
        app = serving.apps[side]
        if side == "legacy":
            app = recorded(app, serving.recording, route.api, route.key, serving.decision.record)
        self._answer = Answer(
            app=serving.guard(app),
            backend=side,
            reason=serving.decision.reason,
            api=route.api,
            route=route.template,
            done=serving.recorder(side),
            mode=serving.decision.mode,
        )

    def answer(self, scope: Scope, match: RouteMatch) -> Answer:
        return self._answer
