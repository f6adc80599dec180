"""What each side of a canary route did over the last `window_s` seconds, in this worker."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

MAX_SAMPLES = 20_000
"""Per side and route: memory stays bounded however busy the route is (a busy window keeps its newest)."""


@dataclass(frozen=True)
class Figures:
    """One side's requests, 5xx answers and p99 over the window."""

    requests: int
    server_errors: int
    p99_ms: float | None

    @property
    def error_ratio(self) -> float:
        return self.server_errors / self.requests if self.requests else 0.0


class SlidingWindow:
    """Answers of one side of one route, dropped once older than `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._samples: deque[tuple[float, bool, float]] = deque(maxlen=MAX_SAMPLES)

    def add(self, now: float, status: int, duration_ms: float) -> None:
        self._samples.append((now, status >= 500, duration_ms))

    def figures(self, now: float) -> Figures:
        samples = self._samples
        while samples and samples[0][0] < now - self.seconds:
            samples.popleft()
        if not samples:
            return Figures(0, 0, None)
        durations = sorted(sample[2] for sample in samples)
        # Nearest-rank p99, as the status stats compute it.
        p99 = durations[max(0, math.ceil(len(durations) * 0.99) - 1)]
        return Figures(len(samples), sum(sample[1] for sample in samples), p99)
