"""No route matched: the gateway answers 404, or 405 with `Allow` when the path has other methods."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.metrics import GatewayMetrics, method_label
from gateway.modes import GATEWAY
from gateway.request_log import Answer
from gateway.routes import RouteMatch

UNMATCHED = "(unmatched)"
"""The route label of requests no route matched."""


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)


def _method_not_allowed(allowed: frozenset[str]) -> ASGIApp:
    return JSONResponse(
        {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": ", ".join(sorted(allowed))}
    )


class Unmatched:
    """The old server's 404 and 405, answered by the gateway and counted under `(unmatched)`."""

    def __init__(self, metrics: GatewayMetrics) -> None:
        self.metrics = metrics
        # By method label and allowed methods: bounded by the routes, however many methods clients make up.
        self._answers: dict[tuple[str, frozenset[str]], Answer] = {}

    def answer(self, scope: Scope, match: RouteMatch) -> Answer:
        method = method_label(scope["method"])
        answer = self._answers.get((method, match.allowed))
        if answer is None:
            app = _method_not_allowed(match.allowed) if match.allowed else _not_found
            done = self.metrics.recorder("", method, UNMATCHED, GATEWAY)
            answer = self._answers[(method, match.allowed)] = Answer(app, GATEWAY, done=done)
        return answer
