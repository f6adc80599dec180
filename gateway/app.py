"""The gateway as one ASGI app: its own routes in a small Starlette router, every other request dispatched.

The router holds `/openapi.json`, `/docs`, `/_gateway/health` and, where the admin surface
is placed on the main listener, the admin routes; the ASGI lifespan runs the runtime. One
worker is built by `gateway serve` itself; with several, uvicorn imports `create_app` in each.
"""

from __future__ import annotations

import traceback
from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from starlette.routing import Router
from starlette.types import Receive, Scope, Send

from gateway.asgi3 import asgi3_entry
from gateway.dispatch import Dispatcher
from gateway.docs import GatewayDocs
from gateway.exceptions import ApiStartupError, GatewayError
from gateway.flags import FlagFile
from gateway.flags_source import flags_source
from gateway.loading import load_registry
from gateway.logs import configure_logging
from gateway.registry import ApiRegistry
from gateway.request_log import AnsweredByGateway
from gateway.runtime import GatewayRuntime
from gateway.settings import ServerSettings


class GatewayApp:
    """Serve every API of `registry`, each route from the side the flags choose (an ASGI 3 app).

    `flags` is the flag file to follow (re-read while running), or fixed flags, e.g.
    ``FlagFile(default="migrated")`` to serve everything that has a router from it::

        app = GatewayApp(registry, ServerSettings(), flags=Path("config/migration.yaml"))
        async with app.running():   # what the ASGI lifespan does
            ...
    """

    def __init__(self, registry: ApiRegistry, settings: ServerSettings, flags: Path | FlagFile) -> None:
        self.runtime = GatewayRuntime(registry, settings, flags_source(flags))
        self.docs = GatewayDocs(self.runtime)
        self.dispatcher = Dispatcher(self.runtime)
        # A bound method is called faster than an object's `__call__`: this is every API request's first call.
        self._dispatch = self.dispatcher.__call__
        own_routes = (*self.docs.routes(), *self.runtime.admin.main)
        own = Router(
            routes=list(own_routes),
            # Only exact paths are the gateway's; `/docs/` is a path like any other.
            redirect_slashes=False,
        )
        self._own = AnsweredByGateway(own, self.runtime.request_log)
        self._own_paths = frozenset(route.path for route in own_routes)
        self.start_failure: GatewayError | None = None
        """Why the ASGI lifespan could not start (a bad flag file, routes --auth refuses), for `gateway serve`."""

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """`running()` as the ASGI lifespan; a bad flag file or --auth fails the start-up with its message alone."""
        await receive()
        started = False
        try:
            async with self.runtime.running():
                started = True
                await send({"type": "lifespan.startup.complete"})
                await receive()
        except BaseException as exc:
            failed = "lifespan.shutdown.failed" if started else "lifespan.startup.failed"
            if not started and isinstance(exc, GatewayError) and not isinstance(exc, ApiStartupError):
                self.start_failure = exc
                await send({"type": failed, "message": str(exc)})
                return
            # An API that cannot start is named by its `apis_not_started` line: one that says why in full
            # (ApiStartupError) needs no traceback after it; anything else keeps it, as Starlette's lifespan does.
            stated = not started and isinstance(exc, ApiStartupError)
            await send({"type": failed, "message": "" if stated else traceback.format_exc()})
            raise
        await send({"type": "lifespan.shutdown.complete"})

    def running(self) -> AbstractAsyncContextManager[None]:
        """Start every API, load the flags and follow the file until the block ends (the ASGI lifespan)."""
        return self.runtime.running()

    @asgi3_entry
    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # The awaitable of what answers, not a coroutine of our own: one frame less per request (marked
        # so that servers still take it for ASGI 3). One set lookup keeps the API
        # requests out of the router, which would also take over `scope["router"]` from the apps behind it.
        if scope["type"] == "http" and scope["path"] not in self._own_paths:
            return self._dispatch(scope, receive, send)
        if scope["type"] == "lifespan":
            return self._lifespan(receive, send)
        return self._own(scope, receive, send)


def create_app() -> GatewayApp:
    """Build the gateway from the environment `gateway serve` prepared (a factory for uvicorn)."""
    settings = ServerSettings()
    configure_logging(settings.log_format)
    return GatewayApp(load_registry(settings.apis), settings, flags=settings.flags)
