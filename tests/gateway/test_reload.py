from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from pathlib import Path

import pytest

from gateway.exceptions import MAX_MESSAGE_CHARS, FlagsError
from gateway.reload import FlagsWatcher, LiveFlags, read_snapshot
from gateway.routes import GatewayRoute
from tests.captured_logs import captured_logs

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
    with captured_logs() as logs:
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
    with captured_logs() as logs:
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
    with captured_logs() as logs:
        watcher.check()
    assert watcher.live.snapshot is before
    assert logs == []


def test_read_snapshot_of_a_missing_file_says_how_to_choose_one(tmp_path: Path) -> None:
    with pytest.raises(FlagsError, match="no such file; pass --flags PATH or set GATEWAY_FLAGS"):
        read_snapshot(tmp_path / "absent.yaml", ROUTES)


def test_reload_sees_a_save_that_keeps_size_and_modification_time(flags_file: Path) -> None:
    # cp -p, rsync -t and tar keep the modification time; only the change time tells.
    flags_file.write_text("default: legacy \n")
    watcher = _watcher(flags_file)
    before = flags_file.stat()
    flags_file.write_text("default: migrated")
    assert flags_file.stat().st_size == before.st_size
    os.utime(flags_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    watcher.check()
    assert watcher.live.snapshot.decisions[MODELS].backend == "migrated"


def test_reload_of_a_touched_file_with_the_same_content_changes_and_logs_nothing(flags_file: Path) -> None:
    watcher = _watcher(flags_file)
    before = watcher.live.snapshot
    os.chmod(flags_file, 0o600)
    os.utime(flags_file)
    with captured_logs() as logs:
        watcher.check()
    assert watcher.live.snapshot is before
    assert logs == []


def test_reload_rejection_message_is_capped_in_the_log_and_the_status(flags_file: Path) -> None:
    watcher = _watcher(flags_file)
    _replace(flags_file, f"apis:\n  models: {'x' * 500_000}\n")
    with captured_logs() as logs:
        watcher.check()
    assert watcher.live.rejection is not None
    error = watcher.live.rejection.error
    assert len(error) == MAX_MESSAGE_CHARS
    assert error.startswith(f"{flags_file}: apis.models: unknown mode 'xxx")
    cut = re.search(r"… \[([\d,]+) characters in all\]$", error)
    assert cut is not None and int(cut[1].replace(",", "")) > 500_000
    assert [entry["error"] for entry in logs] == [error]


@pytest.mark.anyio
async def test_watcher_reads_the_file_off_the_event_loop(tmp_path: Path) -> None:
    # A FIFO holds its reader until someone writes: read on the event loop, it would stop the loop.
    flags_file = tmp_path / "flags.yaml"
    flags_file.write_text("default: legacy\n")
    watcher = _watcher(flags_file)
    fifo = tmp_path / "flags.fifo"
    os.mkfifo(fifo)
    os.replace(fifo, flags_file)
    writer = threading.Timer(1.0, flags_file.write_text, args=("default: migrated\n",))
    writer.daemon = True
    task = asyncio.create_task(watcher.run())
    writer.start()
    try:
        started = last = time.monotonic()
        longest_stall = 0.0
        while last - started < 0.8:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            longest_stall, last = max(longest_stall, now - last), now
        # The watcher has waited on the file since its first look at 0.25 s, and the loop went on.
        assert longest_stall < 0.3
        for _ in range(150):
            if watcher.live.snapshot.decisions[MODELS].backend == "migrated":
                break
            await asyncio.sleep(0.02)
        assert watcher.live.snapshot.decisions[MODELS].backend == "migrated"
    finally:
        task.cancel()
        writer.join(timeout=5)


def test_reload_logs_a_partial_migration_with_each_load(flags_file: Path) -> None:
    routes = (
        GatewayRoute("things", "GET", "/v1/things", legacy=True, migrated=True),
        GatewayRoute("things", "GET", "/v1/things/{thing_id}", legacy=True, migrated=False),
        GatewayRoute("things", "GET", "/v1/things/{id}", legacy=False, migrated=True),
    )
    watcher = FlagsWatcher(flags_file, routes, LiveFlags(read_snapshot(flags_file, routes)))
    expected = {
        "event": "partial_migration",
        "log_level": "warning",
        "path": str(flags_file),
        "api": "things",
        "routes": [{"route": "GET /v1/things/{thing_id}", "closest_migrated": "GET /v1/things/{id}"}],
    }
    with captured_logs() as logs:
        _replace(flags_file, "default: migrated\n")
        watcher.check()
        _replace(flags_file, "apis:\n  things: migrated\n")
        watcher.check()
        _replace(flags_file, "apis:\n  things: legacy\n")
        watcher.check()
    partial = [entry for entry in logs if entry["event"] == "partial_migration"]
    assert partial == [expected, expected]
    assert [entry["event"] for entry in logs].count("flags_loaded") == 3
