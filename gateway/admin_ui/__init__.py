"""`GET /_gateway/ui`: the rollout page, rendered by the server from the status in force, then kept live.

The page arrives with its tables filled (a Jinja2 template over the `/_gateway/status`
answer, autoescaped: diffs and flag errors quote what clients and operators wrote). Its
script asks every second for `/_gateway/ui/live`, the same template's changing part alone,
and swaps it in: the markup has one source, the template, and the script knows nothing of
it. The stylesheet and script are package data next to this module, so the page loads
nothing from elsewhere and works with no network; every route sits behind the same access
rules as the status endpoint.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.rollout_figures import match_rate, sides, traffic

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

UI_PATH = "/_gateway/ui"
LIVE_PATH = f"{UI_PATH}/live"
_STATIC = {
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

StatusReader = Callable[[], Awaitable[dict[str, Any]]]


def _milliseconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} ms"


@functools.cache
def _templates() -> Jinja2Templates:
    # Made on the page's first request: Jinja2's import is a cost every server would pay at start-up.
    import jinja2
    from starlette.templating import Jinja2Templates

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(__package__),
        autoescape=True,
        # A status field the template names but the answer lacks is a bug to see, not an empty cell.
        undefined=jinja2.StrictUndefined,
    )
    environment.globals.update(traffic=traffic, match_rate=match_rate)
    environment.filters["ms"] = _milliseconds
    return Jinja2Templates(env=environment)


def ui_routes(read_status: StatusReader, middleware: Sequence[Middleware] | None = None) -> list[Route]:
    """`GET` routes of the page, its live part and its two files, each behind `middleware`.

    `read_status` gives the `/_gateway/status` answer the page shows.
    """

    def rendering(template: str) -> Callable[[Request], Awaitable[Response]]:
        async def render(request: Request) -> Response:
            status = await read_status()
            context = {
                "status": status,
                "sides": sides(status),
                "rendered_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            }
            return _templates().TemplateResponse(request, template, context, headers=_HEADERS)

        return render

    routes = [
        Route(UI_PATH, rendering("page.html"), methods=["GET"], middleware=middleware),
        Route(LIVE_PATH, rendering("live.html"), methods=["GET"], middleware=middleware),
    ]
    for url, (name, media_type) in _STATIC.items():
        body = (files(__package__) / name).read_bytes()

        async def serve(request: Request, body: bytes = body, media_type: str = media_type) -> Response:
            return Response(body, media_type=media_type, headers=_HEADERS)

        routes.append(Route(url, serve, methods=["GET"], middleware=middleware))
    return routes
