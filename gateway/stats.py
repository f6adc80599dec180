"""Per route and backend: requests, 4xx, 5xx and latency percentiles, summed over every worker.

The figures are read from the gateway's latency histogram (`gateway.metrics`), which each
worker writes to the shared multiprocess directory: whichever worker answers
`/_gateway/status`, it shows every worker's requests, as `/metrics` does. Bucket counts add
up across workers where per-worker samples would not; a percentile is interpolated within
its bucket, as Prometheus's `histogram_quantile` does.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry

from gateway.metrics import LATENCY_BUCKETS, LATENCY_HISTOGRAM

PERCENTILES = (50, 95, 99)
_BOUNDS = (*LATENCY_BUCKETS, math.inf)

StatsKey = tuple[str, str, str]
"""A route's method and template, and a backend."""


@dataclass
class BackendStats:
    """What one backend did for one route, every worker together."""

    requests: int = 0
    client_errors: int = 0
    server_errors: int = 0
    cumulative: dict[float, float] = field(default_factory=lambda: defaultdict(float))
    """Requests that took at most each bucket's upper bound, in seconds (the last is infinity)."""

    def record(self, status: int, seconds: float) -> None:
        """Count one request into the histogram's buckets, as a worker's metrics do."""
        self.requests += 1
        if 400 <= status < 500:
            self.client_errors += 1
        elif status >= 500:
            self.server_errors += 1
        for bound in _BOUNDS:
            self.cumulative[bound] += seconds <= bound

    def percentile_ms(self, percent: float) -> float | None:
        """The latency under which `percent` % of the requests finished, null before the first request."""
        if not self.requests:
            return None
        rank = self.requests * percent / 100
        lower, below = 0.0, 0.0
        for upper, count in sorted(self.cumulative.items()):
            if count >= rank:
                if math.isinf(upper):
                    # Slower than the last bound: that bound is the most that can be said.
                    return round(lower * 1000, 3)
                share = (rank - below) / (count - below)
                return round((lower + (upper - lower) * share) * 1000, 3)
            lower, below = upper, count
        return round(lower * 1000, 3)

    def summary(self) -> dict[str, Any]:
        """Counts and p50/p95/p99 in ms, as the status endpoint shows them."""
        percentiles = {f"p{p}_ms": self.percentile_ms(p) for p in PERCENTILES}
        return {"requests": self.requests, "4xx": self.client_errors, "5xx": self.server_errors, **percentiles}


class RouteStats:
    """The stats of every route and backend: read from the metrics once per status answer, or recorded.

    ::

        stats = RouteStats.read(metrics.every_worker())
        stats.summary("GET", "/v1/models", "migrated")["p99_ms"]
    """

    def __init__(self) -> None:
        self._by_route: defaultdict[StatsKey, BackendStats] = defaultdict(BackendStats)

    @classmethod
    def read(cls, registry: CollectorRegistry) -> RouteStats:
        """Sum the latency histogram's samples of `registry` per method, route and backend."""
        route_stats = cls()
        for family in registry.collect():
            if family.name != LATENCY_HISTOGRAM:
                continue
            for sample in family.samples:
                labels = sample.labels
                stats = route_stats._by_route[(labels["method"], labels["route"], labels["backend"])]
                if sample.name.endswith("_bucket"):
                    stats.cumulative[float(labels["le"])] += sample.value
                elif sample.name.endswith("_count"):
                    count = int(sample.value)
                    stats.requests += count
                    if labels["status_class"] == "4xx":
                        stats.client_errors += count
                    elif labels["status_class"] == "5xx":
                        stats.server_errors += count
        return route_stats

    def record(self, method: str, route: str, backend: str, status: int, seconds: float) -> None:
        """Count one request (`gateway logs` tallies the lines it reads this way)."""
        self._by_route[(method, route, backend)].record(status, seconds)

    def keys(self) -> list[StatsKey]:
        """Every (method, route, backend) seen, in order."""
        return sorted(self._by_route)

    def summary(self, method: str, route: str, backend: str) -> dict[str, Any]:
        """The figures of `backend` for the route `method route` (its template); zeros and nulls if it never served."""
        return self._by_route.get((method, route, backend), BackendStats()).summary()
