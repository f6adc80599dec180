"""Route stats read from the latency histogram: counts by status class, percentiles from the buckets."""

from __future__ import annotations

import pytest

from gateway.metrics import GatewayMetrics
from gateway.stats import RouteStats


def _stats_after(*requests: tuple[int, float]) -> dict[str, object]:
    metrics = GatewayMetrics()
    for status, seconds in requests:
        metrics.observe("models", "GET", "/v1/models", "migrated", status, seconds)
    return RouteStats.read(metrics.every_worker()).summary("GET", "/v1/models", "migrated")


def test_stats_count_requests_by_status_class_across_status_codes() -> None:
    summary = _stats_after((200, 0.001), (201, 0.001), (404, 0.001), (422, 0.001), (500, 0.001), (503, 0.001))
    assert (summary["requests"], summary["4xx"], summary["5xx"]) == (6, 2, 2)


def test_stats_of_a_side_that_never_served_are_zeros_and_nulls() -> None:
    assert _stats_after() == {"requests": 0, "4xx": 0, "5xx": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None}


@pytest.mark.parametrize(
    ("milliseconds", "expected"),
    [
        pytest.param([0.4] * 100, {"p50_ms": 0.4, "p99_ms": 0.4}, id="all-at-a-bucket-bound"),
        pytest.param(range(1, 101), {"p50_ms": 50.0, "p99_ms": 99.0}, id="uniform-1-to-100ms"),
        pytest.param([1] * 98 + [900, 900], {"p50_ms": 1.0, "p99_ms": 900.0}, id="two-slow-outliers"),
    ],
)
def test_stats_percentiles_are_within_a_bucket_of_the_truth(
    milliseconds: list[float], expected: dict[str, float]
) -> None:
    summary = _stats_after(*((200, ms / 1000) for ms in milliseconds))
    for name, truth in expected.items():
        value = summary[name]
        assert isinstance(value, float)
        # Adjacent bounds are at most 1.5x apart.
        assert truth / 1.5 <= value <= truth * 1.5, (name, value, truth)


def test_stats_slower_than_the_last_bucket_show_the_last_bound() -> None:
    assert _stats_after((200, 500.0))["p50_ms"] == 70_000.0


def test_stats_separate_backends_and_routes() -> None:
    metrics = GatewayMetrics()
    metrics.observe("models", "GET", "/v1/models", "legacy", 200, 0.002)
    metrics.observe("models", "POST", "/v1/models", "migrated", 500, 0.002)
    stats = RouteStats.read(metrics.every_worker())
    assert stats.summary("GET", "/v1/models", "legacy")["requests"] == 1
    assert stats.summary("GET", "/v1/models", "migrated")["requests"] == 0
    assert stats.summary("POST", "/v1/models", "migrated")["5xx"] == 1


def test_stats_recorded_one_by_one_match_those_read_from_the_metrics() -> None:
    metrics, recorded = GatewayMetrics(), RouteStats()
    for n in range(1, 201):
        status, seconds = (200 if n % 10 else 503), n / 10_000
        metrics.observe("models", "GET", "/v1/models", "legacy", status, seconds)
        recorded.record("GET", "/v1/models", "legacy", status, seconds)
    read = RouteStats.read(metrics.every_worker())
    assert recorded.summary("GET", "/v1/models", "legacy") == read.summary("GET", "/v1/models", "legacy")
    assert recorded.keys() == [("GET", "/v1/models", "legacy")]
