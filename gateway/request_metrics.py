"""`gateway_requests_total` and the latency histogram: what each request adds, and how scrapes read it.

prometheus_client takes a lock and checks its labels on every `inc` and `observe`, 1.5 µs a
request for the two. One process (`--workers 1`) instead counts in plain Python, a list
index and an addition, and hands the figures to the registry when it is collected (a
scrape, the status page), so every reader sees every request. Several workers write
through prometheus_client's own values, which it shares between processes in files.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from itertools import accumulate

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

Record = Callable[[int, float], None]
"""Counts one request of a route and backend: its status and the seconds it took."""

REQUESTS = "gateway_requests"
REQUESTS_HELP = "Requests served, by route template, backend and status class."
LATENCY_HELP = "Time to serve a request, a stream included."
LABELS = ("api", "method", "route", "backend", "status_class")


class LocalRequestMetrics:
    """The two metrics of one process, counted in plain Python and collected on demand (a registry collector)."""

    def __init__(self, registry: CollectorRegistry, histogram: str, buckets: tuple[float, ...]) -> None:
        self._histogram = histogram
        self._bounds = buckets
        self._bucket_names = [*(str(bound) for bound in buckets), "+Inf"]
        # Per label set: the request count in each bucket (the last one past every bound), then the sum of seconds.
        self._series: dict[tuple[str, ...], list[float]] = {}
        registry.register(self)

    def recorder(self, api: str, method: str, route: str, backend: str) -> Record:
        bounds, by_class = self._bounds, dict[int, list[float]]()
        total = len(bounds) + 1

        def record(status: int, seconds: float) -> None:
            series = by_class.get(status // 100)
            if series is None:
                labels = (api, method, route, backend, f"{status // 100}xx")
                series = by_class[status // 100] = self._series.setdefault(labels, [0.0] * (total + 1))
            series[bisect_left(bounds, seconds)] += 1
            series[total] += seconds

        return record

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(REQUESTS, REQUESTS_HELP, labels=LABELS)
        latency = HistogramMetricFamily(self._histogram, LATENCY_HELP, labels=LABELS)
        for labels, series in list(self._series.items()):
            cumulative = list(accumulate(series[:-1]))
            requests.add_metric(labels, cumulative[-1])
            latency.add_metric(labels, list(zip(self._bucket_names, cumulative, strict=True)), series[-1])
        yield requests
        yield latency


class SharedRequestMetrics:
    """The two metrics through prometheus_client's values, which it shares between worker processes."""

    def __init__(self, registry: CollectorRegistry, histogram: str, buckets: tuple[float, ...]) -> None:
        self.requests = Counter(REQUESTS, REQUESTS_HELP, LABELS, registry=registry)
        self.latency = Histogram(histogram, LATENCY_HELP, LABELS, registry=registry, buckets=buckets)

    def recorder(self, api: str, method: str, route: str, backend: str) -> Record:
        by_class: dict[int, tuple[Callable[[float], None], Callable[[float], None]]] = {}

        def record(status: int, seconds: float) -> None:
            children = by_class.get(status // 100)
            if children is None:
                # `labels()` validates and locks on every call: a request pays one small dict lookup instead.
                labels = (api, method, route, backend, f"{status // 100}xx")
                children = by_class[status // 100] = (
                    self.requests.labels(*labels).inc,
                    self.latency.labels(*labels).observe,
                )
            count, observe = children
            count(1)
            observe(seconds)

        return record
