"""The files Swagger UI and ReDoc load, served by the gateway so `/docs` and `/redoc` work with no network.

They come from the `fastapi-offline` package, which ships the upstream dist builds
(swagger-ui-dist, redoc's standalone bundle) and follows their releases; nothing is copied
into this repository.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

ASSETS_PATH = "/docs/assets/"
_DIRECTORY = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_JS = f"{ASSETS_PATH}swagger-ui-bundle.js"
SWAGGER_CSS = f"{ASSETS_PATH}swagger-ui.css"
REDOC_JS = f"{ASSETS_PATH}redoc.standalone.js"
FAVICON = f"{ASSETS_PATH}favicon.png"
# A new package version ships new files under the same names: browsers revalidate (ETag) rather than guess.
_CACHE_CONTROL = {"cache-control": "no-cache"}


def asset_routes() -> list[Route]:
    """One exact `GET` route per asset file: the gateway's own paths are exact, never a prefix."""
    routes = []
    for url in (SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON):
        file = _DIRECTORY / url.removeprefix(ASSETS_PATH)

        async def asset(request: Request, file: Path = file) -> Response:
            return FileResponse(file, headers=_CACHE_CONTROL)

        routes.append(Route(url, asset, methods=["GET"]))
    return routes
