from __future__ import annotations

import json
from pathlib import Path

from gateway.rollout.shared import FILE_NAME, Rollback, SharedRollbacks
from tests.captured_logs import captured_logs

ROUTE = "GET /v1/batches"
ROLLBACK = Rollback("batches", ROUTE, "entry-1", "2026-12-01T00:00:00Z", "max_5xx_ratio", {"router_5xx_ratio": 0.5})


def test_shared_a_rollback_in_one_worker_is_followed_by_another(tmp_path: Path) -> None:
    first, second = SharedRollbacks(tmp_path), SharedRollbacks(tmp_path)
    first.add(ROLLBACK)
    assert first.get(ROUTE, "entry-1") == ROLLBACK
    assert second.get(ROUTE, "entry-1") is None
    second.refresh()
    assert second.get(ROUTE, "entry-1") == ROLLBACK


def test_shared_a_rollback_holds_only_for_its_flag_entry(tmp_path: Path) -> None:
    rollbacks = SharedRollbacks(tmp_path)
    rollbacks.add(ROLLBACK)
    assert rollbacks.get(ROUTE, "entry-2") is None
    rollbacks.forget_stale({ROUTE: "entry-2"})
    # Gone from the file too: going back to the first entry later does not bring the rollback back.
    again = SharedRollbacks(tmp_path)
    again.refresh()
    assert again.get(ROUTE, "entry-1") is None


def test_shared_a_route_rolled_back_by_another_worker_is_not_rolled_back_twice(tmp_path: Path) -> None:
    first, second = SharedRollbacks(tmp_path), SharedRollbacks(tmp_path)
    assert first.add(ROLLBACK)
    later = Rollback("batches", ROUTE, "entry-1", "2026-12-01T00:00:01Z", "max_p99_ratio", {})
    assert not second.add(later)
    assert second.get(ROUTE, "entry-1") == ROLLBACK


def test_shared_two_workers_adding_rollbacks_keep_both(tmp_path: Path) -> None:
    first, second = SharedRollbacks(tmp_path), SharedRollbacks(tmp_path)
    other = Rollback("batches", "POST /v1/batches", "entry-1", ROLLBACK.at, "max_p99_ratio", {})
    first.add(ROLLBACK)
    second.add(other)
    first.refresh()
    assert first.get(ROUTE, "entry-1") == ROLLBACK and first.get(other.route, "entry-1") == other


def test_shared_corrupt_file_is_ignored_with_a_warning_and_rebuilt(tmp_path: Path) -> None:
    rollbacks = SharedRollbacks(tmp_path)
    rollbacks.add(ROLLBACK)
    (tmp_path / FILE_NAME).write_text('{"rollbacks": {"GET /v1/batches": {"api": "bat')
    with captured_logs() as logs:
        rollbacks.refresh()
    assert [line["event"] for line in logs] == ["rollout_state_corrupt"]
    assert logs[0]["log_level"] == "warning" and logs[0]["path"] == str(tmp_path / FILE_NAME)
    assert rollbacks.get(ROUTE, "entry-1") == ROLLBACK
    assert ROUTE in json.loads((tmp_path / FILE_NAME).read_text())["rollbacks"]
