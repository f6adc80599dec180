"""The gateway as one ASGI app: its own routes in a small Starlette router, every other request dispatched.

The router holds `/openapi.json`, `/docs`, `/_gateway/health` and, where the admin surface
is placed on the main listener, the admin routes; its lifespan is the runtime's. uvicorn
imports `create_app` in each worker.
"""

from __future__ import annotations

import sys
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from starlette.routing import Router
from starlette.types import Message, Receive, Scope, Send

from gateway.dispatch import Dispatcher
from gateway.docs import GatewayDocs
from gateway.exceptions import ApiStartupError
from gateway.flags import FlagFile
from gateway.flags_source import flags_source
from gateway.loading import load_registry
from gateway.logs import configure_logging
from gateway.registry import ApiRegistry
from gateway.request_log import AnsweredByGateway
from gateway.runtime import GatewayRuntime
from gateway.settings import ServerSettings


class GatewayApp:
    """Serve every API of `registry`, each route from the side the flags choose.

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
        own_routes = (*self.docs.routes(), *self.runtime.admin.main)
        own = Router(
            routes=list(own_routes),
            lifespan=lambda app: self.runtime.running(),
            # Only exact paths are the gateway's; `/docs/` is a path like any other.
            redirect_slashes=False,
        )
        self._own = AnsweredByGateway(own, self.runtime.request_log)
        self._own_paths = frozenset(route.path for route in own_routes)

    def running(self) -> AbstractAsyncContextManager[None]:
        """Start every API, load the flags and follow the file until the block ends (the ASGI lifespan)."""
        return self.runtime.running()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # One set lookup keeps the API requests out of the router, which would also take over
        # `scope["router"]` from the apps behind it.
        if scope["type"] == "http" and scope["path"] not in self._own_paths:
            await self.dispatcher(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._own(scope, receive, _without_traceback_after_a_stated_cause(send))
        else:
            await self._own(scope, receive, send)


def _without_traceback_after_a_stated_cause(send: Send) -> Send:
    """`send`, with no traceback in a failed start-up's message when an `ApiStartupError` stated the cause."""

    async def sending(message: Message) -> None:
        # Starlette sends this while handling the exception, so that is the one `sys.exception()` gives.
        if message["type"] == "lifespan.startup.failed" and isinstance(sys.exception(), ApiStartupError):
            message = {**message, "message": ""}
        await send(message)

    return sending


def create_app() -> GatewayApp:
    """Build the gateway from the environment `gateway serve` prepared (a factory for uvicorn)."""
    settings = ServerSettings()
    configure_logging(settings.log_format)
    return GatewayApp(load_registry(settings.apis), settings, flags=settings.flags)
