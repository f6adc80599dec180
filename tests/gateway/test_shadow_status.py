"""Shadow counts read from the shared metrics, and the newest mismatch of whichever worker found it."""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs

from gateway.metrics import GatewayMetrics
from gateway.shadow_results import ShadowedRoute, ShadowResult
from gateway.shadow_status import LastMismatches, ShadowCounts

DELETE = ShadowedRoute("models", "DELETE", "/v1/models/{model_id:path}")


def _mismatch(request_id: str, diff: str, route: ShadowedRoute = DELETE) -> ShadowResult:
    return ShadowResult(route, request_id, "mismatch", diff=diff)


def test_shadow_counts_sum_results_per_route() -> None:
    metrics = GatewayMetrics()
    for result in ("match", "match", "mismatch", "skipped"):
        metrics.shadowed("models", "DELETE", DELETE.template, result)
    metrics.shadowed("models", "GET", "/v1/models", "match")
    counts = ShadowCounts.read(metrics.every_worker())
    assert counts.summary("DELETE", DELETE.template, None) == {
        "compared": 3,
        "matched": 2,
        "mismatched": 1,
        "skipped": 1,
        "last_mismatch": None,
    }
    assert counts.has("GET", "/v1/models") and not counts.has("POST", "/v1/models")
    assert counts.summary("POST", "/v1/models", None)["compared"] == 0


def test_last_mismatch_without_a_shared_directory_is_this_workers_own() -> None:
    mismatches = LastMismatches(None)
    mismatches.record(_mismatch("r1", "status: legacy 204 | migrated 200"))
    mismatches.record(_mismatch("r2", "body: $.id"))
    [(key, last)] = mismatches.every_worker().items()
    assert key == "DELETE /v1/models/{model_id:path}"
    assert (last["request_id"], last["diff"]) == ("r2", "body: $.id") and last["at"].endswith("Z")


def test_last_mismatch_is_the_newest_of_every_workers_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listing = ShadowedRoute("models", "GET", "/v1/models")
    first, second = LastMismatches(tmp_path), LastMismatches(tmp_path)
    monkeypatch.setattr("gateway.shadow_status.os.getpid", lambda: 1001)
    first.record(_mismatch("older", "a"))
    first.record(_mismatch("listing", "c", listing))
    monkeypatch.setattr("gateway.shadow_status.os.getpid", lambda: 1002)
    second.record(_mismatch("newer", "b"))
    for reader in (first, second):
        newest = reader.every_worker()
        assert newest[DELETE.key]["request_id"] == "newer"
        assert newest[listing.key]["request_id"] == "listing"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "shadow-last-mismatch-1001.json",
        "shadow-last-mismatch-1002.json",
    ]


def test_an_unreadable_mismatch_file_is_left_out_with_a_warning(tmp_path: Path) -> None:
    mismatches = LastMismatches(tmp_path)
    mismatches.record(_mismatch("kept", "a"))
    (tmp_path / "shadow-last-mismatch-7.json").write_text("{not json")
    with capture_logs() as logs:
        assert mismatches.every_worker()[DELETE.key]["request_id"] == "kept"
    assert [line["event"] for line in logs] == ["shadow_mismatch_file_unreadable"]
