from __future__ import annotations

from pathlib import Path

import pytest

from gateway.exceptions import FlagsError
from gateway.flags import FlagsSnapshot
from gateway.kept_decisions import kept_decisions
from gateway.reload import FlagsWatcher, LiveFlags, read_snapshot
from gateway.routes import GatewayRoute

ROUTES = (
    GatewayRoute("models", "GET", "/v1/models", legacy=True, migrated=True),
    GatewayRoute("models", "DELETE", "/v1/models/{model_id}", legacy=True, migrated=True),
    GatewayRoute("batches", "GET", "/v1/batches", legacy=True, migrated=True),
    GatewayRoute("batches", "POST", "/v1/batches/{batch_id}/cancel", legacy=True, migrated=False),
    GatewayRoute("files", "GET", "/v1/files", legacy=True, migrated=True),
    GatewayRoute("providers", "GET", "/v1/providers", legacy=True, migrated=False),
)
FIRST = """default: legacy
apis:
  models: migrated
  batches:
    mode: canary
    percent: 10
    routes:
      "GET /v1/batches": legacy
  files: shadow
"""
# Each edit from the one before: one API flipped, an override added, the canary moved, an API dropped,
# the default changed, an API added back.
EDITS = [
    FIRST.replace("  models: migrated", "  models: legacy"),
    FIRST.replace('      "GET /v1/batches": legacy', '      "GET /v1/batches": shadow'),
    FIRST.replace("percent: 10", "percent: 20"),
    FIRST.replace("  files: shadow\n", ""),
    FIRST.replace("default: legacy", "default: migrated").replace("  files: shadow\n", ""),
    FIRST,
]


def _as_read_from_nothing(path: Path) -> FlagsSnapshot:
    return read_snapshot(path, ROUTES)


def _same_flags(kept: FlagsSnapshot, fresh: FlagsSnapshot) -> None:
    assert kept.flags == fresh.flags
    assert list(kept.decisions.items()) == list(fresh.decisions.items())
    assert list(kept.api_backends.items()) == list(fresh.api_backends.items())
    assert list(kept.partial.items()) == list(fresh.partial.items())
    assert kept.with_router == fresh.with_router
    assert kept.sha256 == fresh.sha256


def test_reload_keeping_unchanged_apis_decides_as_a_read_from_nothing(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text(FIRST)
    watcher = FlagsWatcher(path, ROUTES, LiveFlags(read_snapshot(path, ROUTES)))
    for text in EDITS:
        path.write_text(text)
        watcher.check()
        assert watcher.live.rejection is None
        _same_flags(watcher.live.snapshot, _as_read_from_nothing(path))


def test_reload_keeps_the_decisions_of_apis_whose_entry_did_not_change(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text(FIRST)
    watcher = FlagsWatcher(path, ROUTES, LiveFlags(read_snapshot(path, ROUTES)))
    before = watcher.live.snapshot
    path.write_text(EDITS[0])
    watcher.check()
    after = watcher.live.snapshot
    canary = "GET /v1/batches"
    assert after.decisions[canary] is before.decisions[canary]
    assert after.decisions["GET /v1/files"] is before.decisions["GET /v1/files"]
    assert (before.decisions["GET /v1/models"].mode, after.decisions["GET /v1/models"].mode) == ("migrated", "legacy")


def test_reload_keeps_nothing_when_the_default_changed(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text(FIRST)
    in_force = read_snapshot(path, ROUTES)
    path.write_text(FIRST.replace("default: legacy", "default: migrated"))
    assert kept_decisions(in_force, read_snapshot(path, ROUTES).flags, ROUTES) is None


def test_reload_keeps_nothing_for_other_routes(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text(FIRST)
    in_force = read_snapshot(path, ROUTES)
    assert kept_decisions(in_force, in_force.flags, ROUTES[:-1]) is None
    kept = kept_decisions(in_force, in_force.flags, ROUTES)
    assert kept is not None
    assert kept.apis == {"models", "batches", "files", "providers"}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param(FIRST + "  shipping: migrated\n", "unknown API 'shipping'", id="unknown-api-added"),
        pytest.param(FIRST + "  providers: migrated\n", "has no router yet", id="no-router"),
    ],
)
def test_reload_still_checks_the_entries_that_changed(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text(FIRST)
    watcher = FlagsWatcher(path, ROUTES, LiveFlags(read_snapshot(path, ROUTES)))
    path.write_text(text)
    watcher.check()
    assert watcher.live.rejection is not None
    assert error in watcher.live.rejection.error
    with pytest.raises(FlagsError, match=error):
        _as_read_from_nothing(path)
