"""`x-gateway-force-backend: legacy|migrated`: a tester picks the side (only with `--allow-force-header`).

Put in front of every route's strategy when the server allows it; a forced request logs
`reason="header"`. A side the route does not have is not forced (the route's strategy
answers); a value other than the two sides is a 400 that names the header.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import Scope

from gateway.modes import GATEWAY, SIDES
from gateway.request_log import Answer
from gateway.routes import RouteMatch
from gateway.strategies import RouteServing, Strategy

FORCE_HEADER = "x-gateway-force-backend"
_FORCE_HEADER = FORCE_HEADER.encode()


class ForcedSide:
    """The forced side's answer when the request names one, else the route's own strategy's."""

    def __init__(self, strategy: Strategy, serving: RouteServing) -> None:
        self._strategy = strategy
        route = serving.route
        self._forced = {
            side.encode(): Answer(
                app=serving.guard(app),
                backend=side,
                reason="header",
                api=route.api,
                route=route.template,
                done=serving.recorder(side),
                mode=serving.decision.mode,
            )
            for side, app in serving.apps.items()
            if side == "legacy" or route.migrated
        }

    def answer(self, scope: Scope, match: RouteMatch) -> Answer:
        for name, value in scope["headers"]:
            if name == _FORCE_HEADER:
                forced = self._forced.get(value.strip().lower())
                if forced is not None:
                    return forced
                if value.strip().lower().decode("latin-1") not in SIDES:
                    return _bad_value(value)
        return self._strategy.answer(scope, match)


def _bad_value(value: bytes) -> Answer:
    message = f"{FORCE_HEADER} must be one of {', '.join(SIDES)}, not {value.decode('latin-1')!r}"
    return Answer(JSONResponse({"detail": message}, status_code=400), GATEWAY)
