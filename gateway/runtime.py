"""The running gateway: its started APIs, the flags it follows, its admin listener and its plan.

`running()` is the ASGI lifespan: it starts every API, loads the flags (and follows the
file), starts the admin listener on `--admin-port`, marks the worker ready and then builds,
in the background, the routes no request has built yet (`gateway.warm_up`); requests
read what it holds, the plan of the flags in force above all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager

import structlog
from starlette.applications import Starlette
from starlette.types import ASGIApp

from gateway.admin_access import placed_admin, warn_if_refused
from gateway.admin_server import admin_listener
from gateway.auth import GatewayAuth
from gateway.contract_status import ContractStatus
from gateway.flags_source import FlagsSource
from gateway.health import Readiness, draining_on_exit_signals
from gateway.http_protocol import http_protocol
from gateway.lifecycle import ServedApi, started_apis
from gateway.long_lived import freeze_long_lived, thaw_long_lived
from gateway.metrics import GatewayMetrics, shared_directory
from gateway.modes import SIDES, Side
from gateway.plan import Plan, build_plan
from gateway.recording import Recording
from gateway.registry import ApiRegistry
from gateway.reload import LiveFlags
from gateway.request_log import AnsweredByGateway, Done, RequestLog
from gateway.rollout.context import RolloutContext
from gateway.rollout.shared import Rollback, SharedRollbacks
from gateway.rollout.watch import CanaryWatch
from gateway.routes import GatewayRoute, RouteIndex, collect_routes
from gateway.settings import MIB, ServerSettings
from gateway.shadow_results import ShadowResult, write_shadow_line
from gateway.shadow_status import LastMismatches
from gateway.shadowing import Shadowing, ShadowRunner
from gateway.strategies.unmatched import Unmatched
from gateway.warm_up import PendingRoute, WarmUp, pending_routes
from http_conventions.deferred_route import build_first_routes
from proof.record import RecordWriter

log = structlog.get_logger("gateway.rollout")


class GatewayRuntime:
    """Everything one worker of the gateway holds while it serves `registry` under `settings`."""

    def __init__(self, registry: ApiRegistry, settings: ServerSettings, flags: FlagsSource) -> None:
        self.registry = registry
        self.settings = settings
        self.flags_source = flags
        self.apis: list[ServedApi] = []
        self.routes: tuple[GatewayRoute, ...] = ()
        self.index = RouteIndex(())
        self.metrics = GatewayMetrics()
        self.readiness = Readiness()
        self.contract = ContractStatus(lambda: self.apis)
        self.request_log = RequestLog()
        self.auth = GatewayAuth.from_setting(settings.auth)
        self.admin = placed_admin(self, settings)
        self._live: LiveFlags | None = None
        self.warm_up: WarmUp | None = None
        """Building the routes left unbuilt at start-up (only while running)."""
        self._apps: Mapping[str, Mapping[Side, ASGIApp]] = {}
        self.last_mismatches = LastMismatches(shared_directory())
        runner = ShadowRunner(
            self._shadowed,
            queue_size=settings.shadow_queue,
            timeout=settings.shadow_timeout,
            last_request=lambda: self.request_log.last_started,
            busy_share=settings.shadow_busy_share,
        )
        self.shadowing = Shadowing(runner, settings.shadow_max_body_size)
        self.recording = Recording(
            RecordWriter(
                settings.record_dir or settings.data_dir / "recordings",
                settings.record_max_mb * MIB,
                redact=Recording.redacted(settings.record_redact),
                queue_size=settings.record_queue,
                dropped=self.metrics.drop_recorded,
            )
        )
        self._unmatched = Unmatched(self.metrics)
        self._plan = Plan(None, {}, self._unmatched)
        self.rollbacks = SharedRollbacks(settings.data_dir)
        self.rollout = RolloutContext(
            CanaryWatch(self.rollbacks, self._rolled_back), self.rollbacks, self.metrics.count_unsticky
        )

    @property
    def flags(self) -> LiveFlags:
        """The flags in force (only while running)."""
        assert self._live is not None, "the gateway has flags only while running()"
        return self._live

    def plan(self) -> Plan:
        """The strategy of every route under the flags in force, made once per flags version."""
        live = self._live
        if live is None:
            # Before start-up no route is known: every request is unmatched.
            return self._plan
        if self._plan.snapshot is not live.snapshot:
            self._plan = build_plan(
                live.snapshot,
                self.routes,
                self._apps,
                self.auth,
                self._recorder,
                self._unmatched,
                self.shadowing,
                self.rollout,
                self.recording,
                self.settings.allow_force_header,
            )
        return self._plan

    def _rolled_back(self, rollback: Rollback) -> None:
        method, _, template = rollback.route.partition(" ")
        self.metrics.rollbacks.labels(rollback.api, method, template, rollback.rule).inc()
        log.warning("rollback", api=rollback.api, route=rollback.route, rule=rollback.rule, observed=rollback.observed)

    def _canary_entries(self) -> dict[str, str]:
        decisions = self.flags.snapshot.decisions
        return {key: decision.canary.entry for key, decision in decisions.items() if decision.canary is not None}

    def _recorder(self, route: GatewayRoute, side: Side) -> Done:
        """What a request of `route` answered by `side` adds to the metrics (which the status reads too)."""
        return self.metrics.recorder(route.api, route.method, route.template, side)

    def _not_built(self, pending: PendingRoute) -> None:
        for method in pending.methods:
            self.metrics.not_built.labels(pending.api, pending.side, method, pending.route.path).set(1)

    def _shadowed(self, result: ShadowResult) -> None:
        """A shadowed request's end: its log line, the metric its route's counts are read from, a mismatch's diff."""
        write_shadow_line(result)
        route = result.route
        self.metrics.shadowed(route.api, route.method, route.template, result.result)
        if result.result == "mismatch":
            self.last_mismatches.record(result)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Start every API, load the flags and follow them until the block ends."""
        async with started_apis(self.registry, self.settings) as apis, AsyncExitStack() as stack:
            self.apis = apis
            self.routes = tuple(collect_routes(apis))
            self.auth.check(self.routes)
            self.index = RouteIndex(self.routes)
            self._apps = {api.name: {side: app for side in SIDES if (app := api.app(side))} for api in apis}
            self._live = await stack.enter_async_context(
                self.flags_source.followed(self.routes, self.metrics.count_reload)
            )
            await stack.enter_async_context(self.shadowing.runner.running())
            stack.enter_context(self.recording.writer)
            following = asyncio.create_task(self.rollbacks.follow(self._canary_entries))
            stack.callback(following.cancel)
            if self.admin.port is not None and self.settings.admin_port is not None:
                admin_app = AnsweredByGateway(Starlette(routes=list(self.admin.port)), self.request_log)
                protocol = http_protocol(self.settings)
                await stack.enter_async_context(
                    admin_listener(admin_app, self.settings.host, self.settings.admin_port, protocol)
                )
            warn_if_refused(self.settings, self.admin.placement)
            stack.enter_context(draining_on_exit_signals(self.readiness))
            # Paid before ready, so that no first request waits for them: the plan of the flags in force, and the
            # one-off start of building a route (each route builds on first use: http_conventions.deferred_route).
            self.plan()
            build_first_routes(app for api in apis[:1] for side in SIDES if (app := api.app(side)))
            freeze_long_lived()
            stack.callback(thaw_long_lived)
            self.readiness.state = "ok"
            in_force = {key: decision.backend for key, decision in self.flags.snapshot.decisions.items()}
            self.warm_up = WarmUp(pending_routes(apis, in_force), self._not_built)
            await stack.enter_async_context(self.warm_up.running(lambda: self.readiness.ready))
            try:
                yield
            finally:
                self.readiness.state = "draining"
