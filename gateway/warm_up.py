"""Building every route in the background once the worker is ready, a little at a time.

Routes build on their first use (`http_conventions.deferred_route`), which keeps start-up
short but leaves two costs for later: the first request to each route waits for its
build, and a route FastAPI cannot build (a parameter type it cannot read, a bad response
model) is found only when someone calls it, possibly hours later. Once the worker is
ready, `WarmUp` builds every route still unbuilt, the side in force first, then the other,
in steps: a step builds routes for half a millisecond (one route, mostly), then leaves the
loop to the requests four times as long. A request that arrives during a step waits for
that step alone; one in five may. A route that cannot be built is said at once
(`route_not_built`, and the `gateway_route_not_built` gauge) and the worker serves on, as
it would have.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

import structlog

from gateway.lifecycle import ServedApi
from gateway.long_lived import freeze_long_lived
from gateway.modes import SIDES, Side
from http_conventions.deferred_route import DeferredRoute, RouteBuildError

log = structlog.get_logger("gateway.warm_up")

STEP_SECONDS = 0.0005
"""How long a step builds routes before it gives the loop back (a route's build may run past it: 0.3-1 ms)."""
SHARE = 0.2
"""The share of the worker's time the warm-up takes: after each step, the requests have the loop 4x as long."""


@dataclass(frozen=True)
class PendingRoute:
    """A route of one side of an API whose FastAPI state is not built yet."""

    api: str
    side: Side
    route: DeferredRoute

    @property
    def methods(self) -> list[str]:
        # Starlette adds HEAD to every GET route; the gateway's route keys leave it out.
        methods = self.route.methods or set()
        return sorted(methods - {"HEAD"} or methods)


def pending_routes(apis: Iterable[ServedApi], in_force: Mapping[str, Side]) -> list[PendingRoute]:
    """Every unbuilt route of `apis`, those of the side in force for their route key first, in definition order."""
    pending = [
        PendingRoute(api.name, side, route)
        for api in apis
        for side in SIDES
        if (app := api.app(side)) is not None
        for route in app.routes
        if isinstance(route, DeferredRoute) and not route.built
    ]

    def later(route: PendingRoute) -> bool:
        return all(in_force.get(f"{method} {route.route.path}") != route.side for method in route.methods)

    return sorted(pending, key=later)


class WarmUp:
    """Build `routes` in steps on the event loop; each that cannot be built is logged, then given to `not_built`::

    warm_up = WarmUp(pending_routes(apis, in_force), not_built)
    async with warm_up.running(lambda: readiness.ready):
        ...
    """

    def __init__(
        self,
        routes: list[PendingRoute],
        not_built: Callable[[PendingRoute], None],
        *,
        step_seconds: float = STEP_SECONDS,
        share: float = SHARE,
    ) -> None:
        self.routes = routes
        self.not_built = not_built
        self.step_seconds = step_seconds
        self.share = share
        self.finished = asyncio.Event()
        """Set once every route has been tried."""
        self.failed = 0
        """Routes that could not be built."""
        self.longest_step = 0.0
        """The longest time a step held the loop, in seconds."""

    @asynccontextmanager
    async def running(self, serving: Callable[[], bool]) -> AsyncIterator[None]:
        """Warm the routes up while the block runs and `serving()` holds; stopped, quietly, when either ends."""
        task = asyncio.create_task(self._work(serving), name="route warm-up")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    async def _work(self, serving: Callable[[], bool]) -> None:
        started = time.perf_counter()
        remaining = iter(self.routes)
        while serving():
            step_started = time.perf_counter()
            tried_all = self._step(remaining, step_started)
            worked = time.perf_counter() - step_started
            self.longest_step = max(self.longest_step, worked)
            if tried_all:
                # The routes just built live as long as the worker.
                freeze_long_lived()
                self.finished.set()
                log.info(
                    "routes_warmed",
                    routes=len(self.routes),
                    not_built=self.failed,
                    seconds=round(time.perf_counter() - started, 3),
                    longest_step_ms=round(self.longest_step * 1000, 3),
                )
                return
            await asyncio.sleep(worked * (1 / self.share - 1))

    def _step(self, remaining: Iterator[PendingRoute], started: float) -> bool:
        """Build routes until the step's time is up; True once none remain."""
        for pending in remaining:
            try:
                pending.route.build_now()
            except RouteBuildError as exc:
                self._fail(pending, exc)
            if time.perf_counter() - started >= self.step_seconds:
                return False
        return True

    def _fail(self, pending: PendingRoute, error: RouteBuildError) -> None:
        self.failed += 1
        cause = error.__cause__ or error
        log.error(
            "route_not_built",
            api=pending.api,
            side=pending.side,
            route=f"{','.join(pending.methods)} {pending.route.path}",
            error=str(cause),
            error_type=type(cause).__name__,
        )
        self.not_built(pending)
