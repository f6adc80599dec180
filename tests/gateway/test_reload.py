from __future__ import annotations

import os
from pathlib import Path

import pytest
import structlog.testing

from gateway.exceptions import FlagsError
from gateway.reload import FlagsWatcher, LiveFlags, read_snapshot
from gateway.routes import GatewayRoute

ROUTES = (
    GatewayRoute("models", "GET", "/v1/models", legacy=True, migrated=True),
    GatewayRoute("providers", "GET", "/v1/providers", legacy=True, migrated=False),
)
MODELS = "GET /v1/models"


def _watcher(path: Path) -> FlagsWatcher:
    return FlagsWatcher(path, ROUTES, LiveFlags(read_snapshot(path, ROUTES)))


def _replace(path: Path, text: str) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


@pytest.fixture
def flags_file(tmp_path: Path) -> Path:
    path = tmp_path / "migration.yaml"
    path.write_text("default: legacy\n")
    return path


def test_reload_picks_up_an_atomic_rename(flags_file: Path) -> None:
    watcher = _watcher(flags_file)
    _replace(flags_file, "apis:\n  models: migrated\n")
    with structlog.testing.capture_logs() as logs:
        watcher.check()
    assert watcher.live.snapshot.decisions[MODELS].backend == "migrated"
    changed = [entry for entry in logs if entry["event"] == "flags_changed"]
    assert changed[0]["changes"] == [{"api": "models", "route": None, "old": "legacy", "new": "migrated"}]


def test_reload_picks_up_an_in_place_save(flags_file: Path) -> None:
    watcher = _watcher(flags_file)
    with flags_file.open("w") as handle:
        handle.write("apis:\n  models: migrated\n")
    watcher.check()
    assert watcher.live.snapshot.decisions[MODELS].backend == "migrated"


def test_reload_follows_a_configmap_symlink_swap(tmp_path: Path) -> None:
    for version, text in (("..v1", "default: legacy\n"), ("..v2", "default: migrated\n")):
        (tmp_path / version).mkdir()
        (tmp_path / version / "flags.yaml").write_text(text)
    (tmp_path / "..data").symlink_to("..v1")
    link = tmp_path / "flags.yaml"
    link.symlink_to("..data/flags.yaml")
    watcher = _watcher(link)
    (tmp_path / "..data_tmp").symlink_to("..v2")
    os.replace(tmp_path / "..data_tmp", tmp_path / "..data")
    watcher.check()
    assert watcher.live.snapshot.decisions[MODELS].backend == "migrated"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty-half-written"),
        pytest.param("apis:\n  models: migr", id="truncated-value"),
        pytest.param("apis:\n  models: [", id="syntax-error"),
    ],
)
def test_reload_rejects_a_bad_file_and_keeps_the_last_good_flags(flags_file: Path, text: str) -> None:
    watcher = _watcher(flags_file)
    good = watcher.live.snapshot
    _replace(flags_file, text)
    with structlog.testing.capture_logs() as logs:
        watcher.check()
    assert watcher.live.snapshot is good
    assert watcher.live.rejection is not None
    assert str(flags_file) in watcher.live.rejection.error
    assert [entry["event"] for entry in logs] == ["flags_rejected"]

    _replace(flags_file, "apis:\n  models: migrated\n")
    watcher.check()
    assert watcher.live.snapshot.decisions[MODELS].backend == "migrated"
    assert watcher.live.rejection is None


def test_reload_of_a_deleted_file_is_a_rejection(flags_file: Path) -> None:
    watcher = _watcher(flags_file)
    flags_file.unlink()
    watcher.check()
    assert watcher.live.rejection is not None
    assert "no such file" in watcher.live.rejection.error


def test_reload_unchanged_file_is_not_read_again(flags_file: Path) -> None:
    watcher = _watcher(flags_file)
    before = watcher.live.snapshot
    with structlog.testing.capture_logs() as logs:
        watcher.check()
    assert watcher.live.snapshot is before
    assert logs == []


def test_read_snapshot_of_a_missing_file_says_how_to_choose_one(tmp_path: Path) -> None:
    with pytest.raises(FlagsError, match="no such file; pass --flags PATH or set GATEWAY_FLAGS"):
        read_snapshot(tmp_path / "absent.yaml", ROUTES)
