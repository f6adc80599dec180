"""An app serving every registered API from one side, with no flags.

Used to run the whole server as the old one (all legacy) or as the finished migration
(all migrated), and by tests that compare the two.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from gateway.lifecycle import ServedApi, Side, started_apis
from gateway.openapi import TITLE, side_openapi
from gateway.registry import ApiRegistry
from gateway.settings import ServerSettings


class SingleSideApp:
    """Serve every API of `registry` from `side`; APIs without that side are not served."""

    def __init__(self, registry: ApiRegistry, settings: ServerSettings, side: Side) -> None:
        self.registry = registry
        self.settings = settings
        self.side = side
        self._routes: list[tuple[Any, Starlette]] = []
        self._openapi: dict[str, Any] = {}
        self.apis: list[ServedApi] = []
        self.app = Starlette(
            routes=[Route("/openapi.json", self._openapi_json), Route("/docs", self._docs)],
            lifespan=self._lifespan,
        )
        self.app.router.default = self._dispatch

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        async with started_apis(self.registry, self.settings) as apis:
            self.apis = apis
            apps = [served for api in apis if (served := api.app(self.side)) is not None]
            self._routes = [(route, served) for served in apps for route in served.routes]
            self._openapi = side_openapi(apis, self.side)
            yield

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed: set[str] = set()
        for route, served in self._routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                await served(scope, receive, send)
                return
            if match == Match.PARTIAL:
                allowed.update(getattr(route, "methods", ()))
        if allowed:
            response: Response = JSONResponse(
                {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": ", ".join(sorted(allowed))}
            )
        else:
            response = JSONResponse({"detail": "Not Found"}, status_code=404)
        await response(scope, receive, send)

    async def _openapi_json(self, request: Request) -> Response:
        return JSONResponse(self._openapi)

    async def _docs(self, request: Request) -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
