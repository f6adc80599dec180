"""The hot path: every request no gateway route claims, answered as the flags in force decide.

Pure ASGI: match the decoded path once in the route index, take the strategy the plan of
the flags in force gives the match (a route's mode, or the 404/405 of no route), and serve
its answer through the request log, which adds the gateway's headers and writes one line
when the response is done (a stream included). It knows no mode.
"""

from __future__ import annotations

from collections.abc import Awaitable

from starlette.types import Receive, Scope, Send

from gateway.runtime import GatewayRuntime


class Dispatcher:
    """Serve each request with the answer of its route's strategy under the flags in force."""

    def __init__(self, runtime: GatewayRuntime) -> None:
        self.runtime = runtime
        self._serve = runtime.request_log.serve

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        runtime = self.runtime
        match = runtime.index.match(scope["method"], scope["path"])
        answer = runtime.plan().strategy(match.key).answer(scope, match)
        return self._serve(answer, scope, receive, send)
