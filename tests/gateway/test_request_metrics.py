from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from gateway.metrics import LATENCY_BUCKETS, LATENCY_HISTOGRAM
from gateway.request_metrics import LocalRequestMetrics, SharedRequestMetrics

REQUESTS = [(200, 0.00005), (200, 0.0001), (204, 0.0042), (404, 0.3), (500, 100.0), (503, 0.07)]


def _exposition(kind: type[LocalRequestMetrics] | type[SharedRequestMetrics]) -> list[str]:
    registry = CollectorRegistry()
    metrics = kind(registry, LATENCY_HISTOGRAM, LATENCY_BUCKETS)
    models, files = (
        metrics.recorder("models", "GET", "/v1/models", "migrated"),
        metrics.recorder("files", "POST", "/v1/files", "legacy"),
    )
    for status, seconds in REQUESTS:
        models(status, seconds)
    files(201, 0.5)
    # A plan rebuilt for new flags makes new recorders; they add to the same series.
    metrics.recorder("models", "GET", "/v1/models", "migrated")(200, 0.001)
    text = generate_latest(registry).decode()
    return sorted(line for line in text.splitlines() if "_created" not in line)


def test_counting_in_memory_exposes_what_prometheus_client_values_expose() -> None:
    assert _exposition(LocalRequestMetrics) == _exposition(SharedRequestMetrics)


@pytest.mark.parametrize(
    ("seconds", "le"),
    [
        pytest.param(0.0001, "0.0001", id="on-a-bound"),
        pytest.param(0.00011, "0.00015", id="just-over-a-bound"),
        pytest.param(1000.0, "+Inf", id="past-every-bound"),
    ],
)
def test_a_request_falls_in_the_first_bucket_whose_bound_it_does_not_exceed(seconds: float, le: str) -> None:
    registry = CollectorRegistry()
    LocalRequestMetrics(registry, LATENCY_HISTOGRAM, LATENCY_BUCKETS).recorder("a", "GET", "/x", "legacy")(200, seconds)
    buckets = {
        sample.labels["le"]: sample.value
        for family in registry.collect()
        for sample in family.samples
        if sample.name.endswith("_bucket")
    }
    first = next(name for name, value in buckets.items() if value == 1.0)
    assert first == le
