"""Prometheus metrics of the gateway, summed over every worker process.

`gateway serve --workers N` points PROMETHEUS_MULTIPROC_DIR at a fresh directory before
the workers start, and removes it when they have stopped; each worker then writes its
values there and a scrape of any worker reads them all. A single process keeps them in memory.
The same figures feed `/_gateway/status` (`gateway.stats`), so both always agree.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest, multiprocess

from gateway.flags import FlagsSnapshot
from gateway.modes import SIDES
from gateway.reload import RELOAD_RESULTS, ReloadResult
from gateway.request_metrics import LocalRequestMetrics, Record, SharedRequestMetrics
from gateway.routes import GatewayRoute

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OTHER_METHOD = "OTHER"
# RFC 9110's methods and PATCH: a client's made-up method must not become a series of its own, kept forever.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})
LATENCY_HISTOGRAM = "gateway_request_duration_seconds"
SHADOW_COUNTER = "gateway_shadow"
RECORD_DROPPED = "gateway_record_dropped"
FLAGS_RELOADS = "gateway_flags_reloads"
ROUTES_NOT_BUILT = "gateway_route_not_built"
# 0.1 ms to 70 s, seven bounds a decade (1, 1.5, 2, 3, 4, 5, 7): a percentile read from the buckets is within
# one bucket's width (at most 1.5x) of the truth, fine enough to tell a 0.4 ms route from a 0.9 ms one.
LATENCY_BUCKETS = tuple(
    round(mantissa * 10.0**exponent, 6) for exponent in range(-4, 2) for mantissa in (1, 1.5, 2, 3, 4, 5, 7)
)


def shared_directory() -> Path | None:
    """The directory every worker writes its metrics to, None for a single process (which keeps them in memory)."""
    directory = os.environ.get(MULTIPROCESS_DIRECTORY)
    return Path(directory) if directory else None


def method_label(method: str) -> str:
    """`method` as the `method` label of a request no route matched: a standard method, else `OTHER`."""
    return method if method in HTTP_METHODS else OTHER_METHOD


@contextmanager
def shared_across_workers(workers: int) -> Iterator[None]:
    """With several workers, a directory of their metrics for the block, removed when it ends.

    A directory the operator chose with PROMETHEUS_MULTIPROC_DIR is theirs: used, never removed.
    """
    if workers == 1 or MULTIPROCESS_DIRECTORY in os.environ:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="gateway-metrics-") as directory:
        os.environ[MULTIPROCESS_DIRECTORY] = directory
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIRECTORY]


class GatewayMetrics:
    """The request counter, latency histogram, backend-in-force gauge, shadow results, recordings dropped, reloads."""

    def __init__(self) -> None:
        # A registry of its own, so several gateways in one process (tests) do not collide.
        self.registry = CollectorRegistry()
        # Chosen once: several workers share their values through files, one process counts in memory.
        shared = MULTIPROCESS_DIRECTORY in os.environ
        self._requests = (SharedRequestMetrics if shared else LocalRequestMetrics)(
            self.registry, LATENCY_HISTOGRAM, LATENCY_BUCKETS
        )
        self.backend = Gauge(
            "gateway_route_backend",
            "1 for the backend in force for a route, 0 for the other.",
            ("api", "method", "route", "backend"),
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.shadow = Counter(
            SHADOW_COUNTER,
            "Shadowed requests by result: match, mismatch, or skipped (the reason is in the shadow log line).",
            ("api", "method", "route", "result"),
            registry=self.registry,
        )
        self._shadow_children: dict[tuple[str, str, str, str], Callable[[float], None]] = {}

        self.rollbacks = Counter(
            "gateway_rollbacks",
            "Canary routes rolled back to legacy, by the rule the router broke.",
            ("api", "method", "route", "rule"),
            registry=self.registry,
        )
        self.record_dropped = Counter(
            RECORD_DROPPED,
            "Exchanges chosen for recording but not written: the worker's recording queue was full.",
            ("api",),
            registry=self.registry,
        )
        self.unsticky = Counter(
            "gateway_canary_unsticky",
            "Canary requests that could not be sticky (split per request instead), by reason.",
            ("api", "route", "reason"),
            registry=self.registry,
        )
        self.not_built = Gauge(
            ROUTES_NOT_BUILT,
            "1 for each route of a side that could not be built at start-up (its route_not_built line says why); "
            "a request to it answers 500.",
            ("api", "side", "method", "route"),
            registry=self.registry,
            multiprocess_mode="max",
        )
        self.flags_reloads = Counter(
            FLAGS_RELOADS,
            "Reads of the flag file after it changed on disk, by result: loaded, unchanged (the same content "
            "again) or rejected (the last good flags stay); each worker reads it, and counts, on its own.",
            ("result",),
            registry=self.registry,
        )
        # Every result from the start, at 0: a panel or an alert on rejections has a series before the first one.
        self._reloads = {result: self.flags_reloads.labels(result).inc for result in RELOAD_RESULTS}

    def count_reload(self, result: ReloadResult) -> None:
        self._reloads[result](1)

    def drop_recorded(self, api: str) -> None:
        self.record_dropped.labels(api).inc()

    def count_unsticky(self, api: str, route: str, reason: str) -> None:
        self.unsticky.labels(api, route, reason).inc()

    def observe(self, api: str, method: str, route: str, backend: str, status: int, seconds: float) -> None:
        """Count a request; every label must come from a bounded set (a route's method, or `method_label`)."""
        self.recorder(api, method, route, backend)(status, seconds)

    def recorder(self, api: str, method: str, route: str, backend: str) -> Record:
        """`observe` with the first four labels bound, for the requests of one route and backend."""
        return self._requests.recorder(api, method, route, backend)

    def shadowed(self, api: str, method: str, route: str, result: str) -> None:
        labels = (api, method, route, result)
        count = self._shadow_children.get(labels)
        if count is None:
            count = self._shadow_children[labels] = self.shadow.labels(*labels).inc
        count(1)

    def exposition(self, routes: Iterable[GatewayRoute], snapshot: FlagsSnapshot) -> bytes:
        """The text format of every metric, with the backend gauges set from the flags in force."""
        for route in routes:
            in_force = snapshot.decisions[route.key].backend
            for side in SIDES:
                self.backend.labels(route.api, route.method, route.template, side).set(1 if side == in_force else 0)
        return generate_latest(self.every_worker())

    def every_worker(self) -> CollectorRegistry:
        """The metrics of every worker: read from the shared directory when there is one, else this process's."""
        if shared_directory() is None:
            return self.registry
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return collected


def dropped_recordings(registry: CollectorRegistry) -> dict[str, int]:
    """Exchanges of each API not recorded for want of room in the recording queue, from `registry`'s counter."""
    return {
        sample.labels["api"]: int(sample.value)
        for metric in registry.collect()
        if metric.name == RECORD_DROPPED
        for sample in metric.samples
        if sample.name.endswith("_total")
    }
