"""The gateway: every request handed, untouched, to the legacy or migrated app of its API.

Pure ASGI on the hot path: match the decoded path in the route index, read the flags
snapshot once, and serve the request with the chosen app through the request log, which
adds the gateway's headers and writes one line when the response is done (a stream included).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.admin import HEALTH_PATH, create_admin_app, is_admin_path
from gateway.admin_access import admin_placement, guarded_admin, warn_if_refused
from gateway.admin_server import admin_listener
from gateway.auth import GatewayAuth
from gateway.contract_status import ContractStatus
from gateway.flags import FlagFile, FlagsSnapshot, resolve
from gateway.health import Readiness, draining_on_exit_signals
from gateway.http_protocol import http_protocol
from gateway.lifecycle import SIDES, ServedApi, Side, started_apis
from gateway.metrics import GatewayMetrics
from gateway.openapi import TITLE, api_documents, merged_openapi
from gateway.registry import ApiRegistry
from gateway.reload import FlagsWatcher, LiveFlags, log_loaded, read_snapshot
from gateway.request_log import GATEWAY, AnsweredByGateway, Done, RequestLog
from gateway.routes import GatewayRoute, RouteIndex, collect_routes
from gateway.settings import ServerSettings
from gateway.stats import RouteStats

# The route label of requests no route matched (404 and 405 answered by the gateway).
UNMATCHED = "(unmatched)"


@dataclass(frozen=True)
class _Target:
    app: ASGIApp
    backend: str
    reason: str
    done: Done


class GatewayApp:
    """Serve every API of `registry`, each route from the side the flags choose.

    `flags` is the flag file to follow (re-read while running), or fixed flags, e.g.
    ``FlagFile(default="migrated")`` to serve everything that has a router from it::

        app = GatewayApp(registry, ServerSettings(), flags=Path("config/migration.yaml"))
        async with app.running():   # what the ASGI lifespan does
            ...
    """

    def __init__(self, registry: ApiRegistry, settings: ServerSettings, flags: Path | FlagFile) -> None:
        self.registry = registry
        self.settings = settings
        self.flags_source = flags
        self.apis: list[ServedApi] = []
        self.routes: tuple[GatewayRoute, ...] = ()
        self.index = RouteIndex(())
        self.stats = RouteStats()
        self.metrics = GatewayMetrics()
        self.readiness = Readiness()
        self.contract = ContractStatus(lambda: self.apis)
        self.request_log = RequestLog()
        self._live: LiveFlags | None = None
        self._apps: dict[tuple[str, Side], ASGIApp] = {}
        self._openapi: tuple[FlagsSnapshot, dict[str, Any]] | None = None
        self._documents: dict[tuple[str, Side], dict[str, Any]] | None = None
        self._plan: tuple[FlagsSnapshot | None, dict[str, _Target]] = (None, {})
        self._docs_app = AnsweredByGateway(
            Starlette(
                routes=[Route("/openapi.json", self._openapi_json), Route("/docs", self._docs)],
                lifespan=lambda app: self.running(),
            ),
            self.request_log,
        )
        self._docs_paths = {"/openapi.json", "/docs"}
        self.auth = GatewayAuth.from_setting(settings.auth)
        self._admin_app = AnsweredByGateway(
            guarded_admin(create_admin_app(self), settings.admin_token), self.request_log
        )
        self._admin_placement = admin_placement(settings)
        self._admin_here = self._admin_placement == "main"

    @property
    def flags(self) -> LiveFlags:
        """The flags in force (only while running)."""
        assert self._live is not None, "the gateway has flags only while running()"
        return self._live

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Start every API, load the flags and follow the file until the block ends."""
        async with started_apis(self.registry, self.settings) as apis, AsyncExitStack() as stack:
            self.apis = apis
            self.routes = tuple(collect_routes(apis))
            self.auth.check(self.routes)
            self.index = RouteIndex(self.routes)
            self._apps = {(api.name, side): app for api in apis for side in SIDES if (app := api.app(side))}
            if isinstance(self.flags_source, FlagFile):
                text = self.flags_source.model_dump_json()
                self._live = LiveFlags(resolve(self.flags_source, "(fixed)", text, self.routes))
            else:
                self._live = LiveFlags(read_snapshot(self.flags_source, self.routes))
                log_loaded(self._live.snapshot)
                watcher = asyncio.create_task(FlagsWatcher(self.flags_source, self.routes, self._live).run())
                stack.callback(watcher.cancel)
            if self.settings.admin_port is not None and self._admin_placement == "port":
                await stack.enter_async_context(
                    admin_listener(
                        self._admin_app, self.settings.host, self.settings.admin_port, http_protocol(self.settings)
                    )
                )
            warn_if_refused(self.settings)
            stack.enter_context(draining_on_exit_signals(self.readiness))
            self.readiness.state = "ok"
            try:
                yield
            finally:
                self.readiness.state = "draining"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._docs_paths:
            await self._docs_app(scope, receive, send)
        elif scope["path"] == HEALTH_PATH or (self._admin_here and is_admin_path(scope["path"])):
            await self._admin_app(scope, receive, send)
        else:
            await self._dispatch(scope, receive, send)

    def _targets(self) -> dict[str, _Target]:
        """Where each route goes under the flags in force, worked out once per flags version."""
        snapshot = self.flags.snapshot
        if self._plan[0] is not snapshot:
            targets = {}
            for route in self.routes:
                decision = snapshot.decisions[route.key]
                targets[route.key] = _Target(
                    app=self.auth.guard(route, self._apps[(route.api, decision.backend)]),
                    backend=decision.backend,
                    reason=decision.reason,
                    done=self._recorder(route, decision.backend),
                )
            self._plan = (snapshot, targets)
        return self._plan[1]

    def _recorder(self, route: GatewayRoute, backend: str) -> Done:
        """What a request of `route` served by `backend` adds to the stats and metrics once answered."""

        def done(status: int, seconds: float) -> None:
            self.stats.record(route.key, backend, status, seconds * 1000)
            self.metrics.observe(route.api, route.method, route.template, backend, status, seconds)

        return done

    def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        method, path = scope["method"], scope["path"]
        route = self.index.lookup(method, path)
        if route is not None:
            target = self._targets()[route.key]
            return self.request_log.serve(
                target.app,
                scope,
                receive,
                send,
                backend=target.backend,
                reason=target.reason,
                api=route.api,
                route=route.template,
                done=target.done,
            )
        allowed = self.index.match(method, path).allowed

        def done(status: int, seconds: float) -> None:
            self.metrics.observe("", method, UNMATCHED, GATEWAY, status, seconds)

        app = _method_not_allowed(allowed) if allowed else _not_found
        return self.request_log.serve(app, scope, receive, send, backend=GATEWAY, done=done)

    def openapi(self) -> dict[str, Any]:
        """The document of the whole server as the flags now route it, built once per flags version."""
        snapshot = self.flags.snapshot
        if self._openapi is None or self._openapi[0] is not snapshot:
            if self._documents is None:
                # Built on first use: every API's document costs more than the rest of start-up.
                self._documents = api_documents(self.apis)
            document = merged_openapi(self.routes, lambda r: snapshot.decisions[r.key].backend, self._documents)
            self._openapi = (snapshot, document)
        return self._openapi[1]

    async def _openapi_json(self, request: Request) -> Response:
        return JSONResponse(self.openapi())

    async def _docs(self, request: Request) -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE)


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)


def _method_not_allowed(allowed: frozenset[str]) -> ASGIApp:
    response = JSONResponse(
        {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": ", ".join(sorted(allowed))}
    )
    return response
