"""Where the admin surface (`/_gateway/*`, `/metrics`) answers, and to whom.

It shows the flag file's path, its errors and per-route traffic, so it never answers on a
public listener by accident:

* `--admin-port`: on its own listener only (one a firewall keeps private);
* else on the main listener when that is a loopback address, or when `--admin-token` is
  set; a main listener on any other address (``0.0.0.0`` in a container) does not serve it.

With `--admin-token`, every admin request needs ``Authorization: Bearer <token>``,
wherever it is served: a loopback listener may still sit behind a local reverse proxy.
`/_gateway/health` alone needs none and answers on every listener: it tells nothing but
readiness, and a readiness probe must reach it.
Paths are matched on the decoded path (ASGI's ``scope["path"]``), so
``/%5Fgateway/status`` is the admin path too and meets the same checks.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from typing import Literal

import structlog
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.admin import ObservedGateway, admin_routes, health_route
from gateway.bearer import Refusal, bearer_token, unknown_token
from gateway.settings import ServerSettings

Placement = Literal["main", "port", "nowhere"]

log = structlog.get_logger("gateway.admin")


def is_loopback(host: str) -> bool:
    """Whether a listener on `host` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        # A host name other than localhost may resolve to anything: not loopback.
        return False


def admin_placement(settings: ServerSettings) -> Placement:
    """Where the admin surface answers under these settings."""
    if settings.admin == "off":
        return "nowhere"
    if settings.admin_port is not None:
        return "port"
    if is_loopback(settings.host) or settings.admin_token:
        return "main"
    return "nowhere"


@dataclass(frozen=True)
class PlacedAdmin:
    """The admin routes each listener serves, as `admin_placement` decides.

    ::

        placed = placed_admin(gateway, settings)
        placed.main     # the main listener's routes: health, and the admin routes if placed there
        placed.port     # the --admin-port listener's routes, or None
    """

    placement: Placement
    main: tuple[Route, ...]
    port: tuple[Route, ...] | None


def placed_admin(gateway: ObservedGateway, settings: ServerSettings) -> PlacedAdmin:
    """The admin routes of each listener under `settings`, each behind `--admin-token` if set, health aside."""
    placement = admin_placement(settings)
    health = health_route(gateway.readiness)
    token = settings.admin_token
    guard = [Middleware(AdminTokenGuard, token=token)] if token else None
    admin = tuple(admin_routes(gateway, middleware=guard))
    return PlacedAdmin(
        placement=placement,
        main=(health, *admin) if placement == "main" else (health,),
        port=(health, *admin) if placement == "port" else None,
    )


def warn_if_refused(settings: ServerSettings, placement: Placement) -> None:
    """Say at start-up when the admin surface is on but answers nowhere."""
    if settings.admin == "on" and placement == "nowhere":
        log.warning(
            "admin_not_served",
            host=settings.host,
            hint="the main listener is not a loopback address; pass --admin-port PORT or --admin-token TOKEN",
        )


class AdminTokenGuard:
    """An admin endpoint behind a bearer token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            token = bearer_token(scope)
            if not hmac.compare_digest(token.encode(), self._token):
                raise unknown_token()
        except Refusal as refusal:
            await refusal.send(scope, receive, send)
            return
        await self.app(scope, receive, send)
