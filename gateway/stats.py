"""Per route and backend: request counts and latency percentiles over a sliding window.

Memory is bounded: each (route, backend) keeps the durations of its last `WINDOW`
requests in a ring buffer, whatever the traffic.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

WINDOW = 1024
PERCENTILES = (50, 95, 99)


@dataclass
class BackendStats:
    """What one backend did for one route in this worker."""

    requests: int = 0
    client_errors: int = 0
    server_errors: int = 0
    durations_ms: deque[float] = field(default_factory=lambda: deque(maxlen=WINDOW))

    def record(self, status: int, duration_ms: float) -> None:
        self.requests += 1
        if 400 <= status < 500:
            self.client_errors += 1
        elif status >= 500:
            self.server_errors += 1
        self.durations_ms.append(duration_ms)

    def summary(self) -> dict[str, Any]:
        """Counts and p50/p95/p99 in ms (null before the first request), as the status endpoint shows them."""
        ordered = sorted(self.durations_ms)
        percentiles: dict[str, float | None] = {}
        for p in PERCENTILES:
            # Nearest-rank percentile over the window.
            index = max(0, -(-p * len(ordered) // 100) - 1)
            percentiles[f"p{p}_ms"] = round(ordered[index], 3) if ordered else None
        return {"requests": self.requests, "4xx": self.client_errors, "5xx": self.server_errors, **percentiles}


class RouteStats:
    """Stats of every route key and backend, created on first use."""

    def __init__(self) -> None:
        self._stats: dict[tuple[str, str], BackendStats] = {}

    def record(self, route_key: str, backend: str, status: int, duration_ms: float) -> None:
        stats = self._stats.get((route_key, backend))
        if stats is None:
            stats = self._stats[(route_key, backend)] = BackendStats()
        stats.record(status, duration_ms)

    def summary(self, route_key: str, backend: str) -> dict[str, Any]:
        return self._stats.get((route_key, backend), BackendStats()).summary()
