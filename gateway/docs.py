"""`/openapi.json`, `/docs` and `/redoc`: the document of the whole server as the flags now route it.

Both pages load their scripts from the gateway itself (`gateway.docs_assets`), never from a CDN.
"""

from __future__ import annotations

from typing import Any, Protocol

from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.docs_assets import FAVICON, REDOC_JS, SWAGGER_CSS, SWAGGER_JS, asset_routes
from gateway.flags import FlagsSnapshot
from gateway.lifecycle import ServedApi
from gateway.modes import Side
from gateway.openapi import TITLE, api_documents, merged_openapi
from gateway.reload import LiveFlags
from gateway.routes import GatewayRoute

OPENAPI_PATH = "/openapi.json"


class DocumentedGateway(Protocol):
    """What the documents are made of."""

    apis: list[ServedApi]
    routes: tuple[GatewayRoute, ...]

    @property
    def flags(self) -> LiveFlags: ...


class GatewayDocs:
    """The merged OpenAPI document, built once per flags version, and the Swagger UI page over it."""

    def __init__(self, gateway: DocumentedGateway) -> None:
        self.gateway = gateway
        self._documents: dict[tuple[str, Side], dict[str, Any]] | None = None
        self._merged: tuple[FlagsSnapshot, dict[str, Any]] | None = None

    def openapi(self) -> dict[str, Any]:
        snapshot = self.gateway.flags.snapshot
        if self._merged is None or self._merged[0] is not snapshot:
            if self._documents is None:
                # Built on first use: every API's document costs more than the rest of start-up.
                self._documents = api_documents(self.gateway.apis)
            document = merged_openapi(
                self.gateway.routes, lambda route: snapshot.decisions[route.key].backend, self._documents
            )
            self._merged = (snapshot, document)
        return self._merged[1]

    def routes(self) -> list[Route]:
        async def openapi_json(request: Request) -> Response:
            return JSONResponse(self.openapi())

        async def docs(request: Request) -> Response:
            return get_swagger_ui_html(
                openapi_url=OPENAPI_PATH,
                title=TITLE,
                swagger_js_url=SWAGGER_JS,
                swagger_css_url=SWAGGER_CSS,
                swagger_favicon_url=FAVICON,
                # Swagger UI would send the document to validator.swagger.io for its badge.
                swagger_ui_parameters={"validatorUrl": None},
            )

        async def redoc(request: Request) -> Response:
            return get_redoc_html(
                openapi_url=OPENAPI_PATH,
                title=TITLE,
                redoc_js_url=REDOC_JS,
                redoc_favicon_url=FAVICON,
                with_google_fonts=False,
            )

        return [
            Route(OPENAPI_PATH, openapi_json, methods=["GET"]),
            Route("/docs", docs, methods=["GET"]),
            Route("/redoc", redoc, methods=["GET"]),
            *asset_routes(),
        ]
