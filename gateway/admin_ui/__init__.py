"""`GET /_gateway/ui`: the rollout page, one HTML file with its stylesheet and script, served by the gateway.

The files are package data next to this module, so the page loads nothing from elsewhere
and works on a machine with no network. The script polls `/_gateway/status` and redraws;
the page's own routes sit behind the same access rules as the status endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

UI_PATH = "/_gateway/ui"
_FILES = {
    UI_PATH: ("page.html", "text/html; charset=utf-8"),
    f"{UI_PATH}/page.css": ("page.css", "text/css; charset=utf-8"),
    f"{UI_PATH}/page.js": ("page.js", "text/javascript; charset=utf-8"),
}
# The page is a window on live state: nothing of it may come from a cache, nor load from anywhere else.
_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:"
    ),
}


def ui_routes(middleware: Sequence[Middleware] | None = None) -> list[Route]:
    """One exact `GET` route per file of the page, each behind `middleware`."""
    routes = []
    for url, (name, media_type) in _FILES.items():
        body = (files(__package__) / name).read_bytes()

        async def serve(request: Request, body: bytes = body, media_type: str = media_type) -> Response:
            return Response(body, media_type=media_type, headers=_HEADERS)

        routes.append(Route(url, serve, methods=["GET"], middleware=middleware))
    return routes
