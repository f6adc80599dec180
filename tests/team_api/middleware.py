"""The team's server middleware: clients older than the minimum version are told to upgrade (426)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

CLIENT_VERSION_HEADER = "X-Ledger-Client"


class RequireClientVersion:
    def __init__(self, app: ASGIApp, minimum: int) -> None:
        self.app = app
        self.minimum = minimum

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        version = Headers(scope=scope).get(CLIENT_VERSION_HEADER, "")
        if scope["type"] == "http" and version.isdigit() and int(version) < self.minimum:
            answer = JSONResponse({"detail": f"Upgrade Required: client {version} < {self.minimum}"}, status_code=426)
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)
