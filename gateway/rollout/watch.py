"""Each canary route's sliding windows in this worker, judged by the rollback rules as answers come in."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from gateway.modes import Side
from gateway.rollout.canary_flags import Canary
from gateway.rollout.rules import broken_rule
from gateway.rollout.shared import Rollback, SharedRollbacks
from gateway.rollout.window import SlidingWindow
from gateway.routes import GatewayRoute

JUDGE_INTERVAL = 0.05
"""Seconds between two verdicts on one route: a busy route is not sorted on every request."""

Observe = Callable[[int, float], None]


class _RouteWatch:
    def __init__(self, route: GatewayRoute, canary: Canary, watch: CanaryWatch) -> None:
        assert canary.rollback is not None
        self.route, self.canary, self.flags, self.watch = route, canary, canary.rollback, watch
        self.windows = {side: SlidingWindow(self.flags.window_s) for side in ("legacy", "migrated")}
        self.judged_at = 0.0

    def observe(self, side: Side, status: int, seconds: float) -> None:
        now = time.monotonic()
        self.windows[side].add(now, status, seconds * 1000)
        if side != "migrated" or now - self.judged_at < JUDGE_INTERVAL:
            return
        self.judged_at = now
        if self.watch.rollbacks.get(self.route.key, self.canary.entry) is not None:
            return
        broken = broken_rule(self.flags, self.windows["migrated"].figures(now), self.windows["legacy"].figures(now))
        if broken is not None:
            rule, observed = broken
            at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            self.watch.roll_back(Rollback(self.route.api, self.route.key, self.canary.entry, at, rule, observed))


class CanaryWatch:
    """The windows of every canary route with rollback rules, kept while its API's flag entry stays."""

    def __init__(self, rollbacks: SharedRollbacks, rolled_back: Callable[[Rollback], None]) -> None:
        self.rollbacks = rollbacks
        self._rolled_back = rolled_back
        self._routes: dict[tuple[str, str], _RouteWatch] = {}

    def observer(self, route: GatewayRoute, canary: Canary, side: Side) -> Observe | None:
        """What an answer of `side` on `route` adds to its window; None without rollback rules."""
        if canary.rollback is None:
            return None
        watch = self._routes.get((route.key, canary.entry))
        if watch is None:
            # A changed entry starts afresh: the figures of the previous entry judged another canary.
            self._routes = {key: kept for key, kept in self._routes.items() if key[0] != route.key}
            watch = self._routes[(route.key, canary.entry)] = _RouteWatch(route, canary, self)
        return lambda status, seconds: watch.observe(side, status, seconds)

    def roll_back(self, rollback: Rollback) -> None:
        if self.rollbacks.add(rollback):
            self._rolled_back(rollback)
