"""The read-only admin surface: `/_gateway/status`, `/_gateway/ui`, `/_gateway/routes`, `/_gateway/health`, `/metrics`.

Served on the gateway's port, on a port of its own (`--admin-port`), or not at all
(`--admin off`), so it is never exposed on a public listener by accident. The health
check is the exception: it tells nothing but readiness, and a readiness probe must
reach it wherever the gateway listens.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.admin_ui import ui_routes
from gateway.contract_status import ContractCounts, ContractStatus
from gateway.flags import FlagsSnapshot
from gateway.health import Readiness
from gateway.metrics import CONTENT_TYPE, GatewayMetrics, dropped_recordings
from gateway.modes import SIDES
from gateway.reload import LiveFlags
from gateway.rollout.shared import SharedRollbacks
from gateway.routes import GatewayRoute
from gateway.settings import ServerSettings
from gateway.shadow_status import LastMismatches, ShadowCounts
from gateway.stats import RouteStats

ADMIN_PREFIX = "/_gateway/"
METRICS_PATH = "/metrics"
HEALTH_PATH = f"{ADMIN_PREFIX}health"


class ObservedGateway(Protocol):
    """What the admin surface reads from a running gateway."""

    routes: tuple[GatewayRoute, ...]
    settings: ServerSettings
    last_mismatches: LastMismatches
    metrics: GatewayMetrics
    readiness: Readiness
    contract: ContractStatus
    rollbacks: SharedRollbacks

    @property
    def flags(self) -> LiveFlags: ...


def _timestamp(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def status(gateway: ObservedGateway, contract: ContractCounts) -> dict[str, Any]:
    """The flags in force, the last rejection, and per route its backend and both backends' stats.

    Per API, `legacy_only_routes` names the routes its mode would serve from the router but
    that stay on legacy for want of a migrated twin (a partial migration), each with the
    router's route most like it; `contract` counts its `gateway diff` findings at ERR and WARN
    (null without a router); `record_dropped` counts its exchanges chosen for recording but
    dropped because the recording queue was full. `stats` cover every worker, and `workers`
    says how many there are. A route in shadow mode (or shadowed before) also has its `mode`
    and its `shadow` counts and last mismatch, those of every worker too.
    """
    live = gateway.flags
    rollbacks = gateway.rollbacks
    snapshot, rejection = live.snapshot, live.rejection
    every_worker = gateway.metrics.every_worker()
    stats = RouteStats.read(every_worker)
    shadowed = ShadowCounts.read(every_worker)
    last_mismatches = gateway.last_mismatches.every_worker()
    dropped = dropped_recordings(every_worker)
    apis: dict[str, Any] = {}
    for route in gateway.routes:
        api = apis.setdefault(
            route.api,
            {
                "mode": snapshot.api_backends[route.api],
                "has_router": route.api in snapshot.with_router,
                "legacy_only_routes": [found.as_dict() for found in snapshot.partial.get(route.api, ())],
                "contract": contract.get(route.api),
                "record_dropped": dropped.get(route.api, 0),
                "routes": {},
            },
        )
        decision = snapshot.decisions[route.key]
        entry: dict[str, Any] = {
            "backend": "canary" if decision.mode == "canary" else decision.backend,
            "reason": decision.reason,
            "stats": {side: stats.summary(route.method, route.template, side) for side in SIDES},
        }
        if decision.mode == "shadow" or shadowed.has(route.method, route.template):
            entry["mode"] = decision.mode
            entry["shadow"] = shadowed.summary(route.method, route.template, last_mismatches.get(route.key))
        if decision.canary is not None:
            rollback = rollbacks.get(route.key, decision.canary.entry)
            entry["canary"] = {
                "percent": decision.canary.percent,
                "sticky": decision.canary.sticky,
                "rolled_back": rollback.as_status() if rollback else None,
            }
        api["routes"][route.key] = entry
    return {
        "flags": {
            "path": snapshot.path,
            "sha256": snapshot.sha256,
            "loaded_at": _timestamp(snapshot.loaded_at),
            "error": rejection.error if rejection else None,
            "rejected_at": _timestamp(rejection.rejected_at if rejection else None),
        },
        "default": snapshot.flags.default,
        "workers": gateway.settings.workers,
        "apis": apis,
    }


def route_table(routes: Iterable[GatewayRoute], snapshot: FlagsSnapshot) -> list[dict[str, Any]]:
    """Every route: where it is, which sides implement it, and the backend in force."""
    decisions = snapshot.decisions
    return [
        {
            "method": route.method,
            "template": route.template,
            "api": route.api,
            "level": route.level,
            "deprecated": route.deprecated,
            "legacy": route.legacy,
            "migrated": route.migrated,
            "backend": decisions[route.key].backend,
            "reason": decisions[route.key].reason,
        }
        for route in routes
    ]


def admin_routes(gateway: ObservedGateway, middleware: Sequence[Middleware] | None = None) -> list[Route]:
    """The admin endpoints over `gateway`, health aside, each behind `middleware`; they only read (else 405)."""

    async def current_status() -> dict[str, Any]:
        return status(gateway, await gateway.contract.counts())

    async def status_endpoint(request: Request) -> Response:
        return JSONResponse(await current_status())

    async def routes_endpoint(request: Request) -> Response:
        return JSONResponse({"data": route_table(gateway.routes, gateway.flags.snapshot)})

    async def metrics_endpoint(request: Request) -> Response:
        body = gateway.metrics.exposition(gateway.routes, gateway.flags.snapshot)
        return Response(body, media_type=CONTENT_TYPE)

    return [
        Route(f"{ADMIN_PREFIX}status", status_endpoint, methods=["GET"], middleware=middleware),
        Route(f"{ADMIN_PREFIX}routes", routes_endpoint, methods=["GET"], middleware=middleware),
        Route(METRICS_PATH, metrics_endpoint, methods=["GET"], middleware=middleware),
        *ui_routes(current_status, middleware),
    ]


def health_route(readiness: Readiness) -> Route:
    """`GET /_gateway/health`: 200 while `readiness` is ok, else 503, with the state."""

    async def health_endpoint(request: Request) -> Response:
        return JSONResponse({"status": readiness.state}, status_code=200 if readiness.ready else 503)

    return Route(HEALTH_PATH, health_endpoint, methods=["GET"])
