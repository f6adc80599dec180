"""A flag file cannot hurt a running gateway: hostile and oversized files, permission changes, partial migrations.

Each test keeps a client sending requests throughout and asserts the server answered every
one of them, promptly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway.reload import POLL_SECONDS
from tests.e2e.client_loop import ClientLoop
from tests.e2e.gateway_process import GatewayProcess, LogLine, write_flags_atomically, write_flags_in_place
from tests.gateway import renamed_parameter_api
from tests.gateway.test_flags_file import ALIAS_BOMB

FLIP_DEADLINE = 1.5
# Well above a poll of the watcher and a request on a busy machine; far below what the files below cost
# a server that reads them on its event loop (the alias bomb: 23 s and 3.3 GB; 2 MiB: 2.6 s).
STALL_LIMIT = 1.0
MEMORY_GROWTH_LIMIT_MB = 150


def _models_flags(mode: str) -> str:
    return f"default: legacy\napis:\n  models: {mode}\n"


def _peak_memory_mb(pid: int) -> int:
    """The process's resident-memory high-water mark (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise AssertionError(f"no VmHWM in /proc/{pid}/status")


def _nth_event(gateway: GatewayProcess, event: str, number: int, timeout: float = FLIP_DEADLINE) -> LogLine:
    """The `number`-th (from 1) log line of `event`, waiting up to `timeout` seconds for it."""
    deadline = time.monotonic() + timeout
    while len(lines := gateway.events(event)) < number:
        if time.monotonic() >= deadline:
            raise AssertionError(f"no {event} line number {number} within {timeout} s\n{gateway.describe()}")
        time.sleep(0.05)
    return lines[number - 1]


def _check_error(path: Path) -> str:
    """What `gateway flags check` (which reads as `flags set` does) says of the file, from a process of its own."""
    command = [sys.executable, "-m", "gateway", "flags", "check", str(path), "--apis", "apis"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    return result.stderr.removeprefix("error: ").rstrip("\n")


@pytest.mark.skipif(sys.platform != "linux", reason="reads the server's memory from /proc")
def test_gateway_refuses_hostile_flag_files_without_missing_a_request(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text(_models_flags("migrated"))
    hostile = [
        (
            "an alias bomb",
            ALIAS_BOMB,
            "line 2: YAML anchors and aliases (&name, *name) are not allowed in a flag file; write each value out",
        ),
        ("a 2 MiB file", "# padding\n" * 209_716, "the file is 2,097,160 bytes; a flag file may be at most 1,048,576"),
        (
            "a key written twice",
            "default: legacy\napis:\n  models: legacy\n  inference: legacy\n  models: migrated\n",
            "apis.models: written twice, on line 3 and line 5; keep one",
        ),
    ]
    with GatewayProcess(flags, tmp_path) as gateway, ClientLoop(gateway.base_url) as loop:
        memory_before = _peak_memory_mb(gateway.pid)
        for number, (name, text, problem) in enumerate(hostile, start=1):
            write_flags_atomically(flags, text)
            line = _nth_event(gateway, "flags_rejected", number)
            assert line["error"] == f"{flags}: {problem}", name
            status = httpx.get(f"{gateway.base_url}/_gateway/status").json()["flags"]
            assert status["error"] == line["error"]
        # The server and `gateway flags check` (which reads as `flags set` does) agree on the last file.
        assert _check_error(flags) == line["error"]
        # The last good flags stayed in force throughout.
        since = len(loop.observations)
        loop.wait_for_backend("migrated", since_index=since, timeout=1.0)
        write_flags_atomically(flags, _models_flags("legacy"))
        loop.wait_for_backend("legacy", since_index=since, timeout=FLIP_DEADLINE)
        memory_growth = _peak_memory_mb(gateway.pid) - memory_before
    assert not loop.failures(), loop.failures()[:5]
    assert loop.slowest() < STALL_LIMIT
    assert memory_growth < MEMORY_GROWTH_LIMIT_MB
    assert max(len(line) for line in gateway.stdout_text().splitlines()) < 2048


def _without_root_file_access() -> list[str]:
    """A command prefix under which mode 000 makes a file unreadable for this user, root included."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("as root, needs setpriv (util-linux) to drop the capability to read any file")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


def test_gateway_rereads_a_flag_file_made_readable_again(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text(_models_flags("migrated"))
    wrapper = _without_root_file_access()
    with GatewayProcess(flags, tmp_path, wrapper=wrapper) as gateway, ClientLoop(gateway.base_url) as loop:
        try:
            os.chmod(flags, 0o000)
            line = _nth_event(gateway, "flags_rejected", 1)
            assert line["error"] == f"{flags}: cannot read the file: permission denied (see its mode and owner)"
            # Edited while unreadable: the server cannot know yet, and keeps the last good flags.
            write_flags_in_place(flags, _models_flags("legacy"))
            since = len(loop.observations)
            time.sleep(3 * POLL_SECONDS)
            assert {observation.backend for observation in loop.observations[since:]} == {"migrated"}
        finally:
            os.chmod(flags, 0o644)
        loop.wait_for_backend("legacy", since_index=len(loop.observations), timeout=FLIP_DEADLINE)
        status = httpx.get(f"{gateway.base_url}/_gateway/status").json()["flags"]
    assert (status["error"], status["rejected_at"]) == (None, None)
    assert not loop.failures(), loop.failures()[:5]
    assert [line["changes"] for line in gateway.events("flags_changed")] == [
        [{"api": "models", "route": None, "old": "migrated", "new": "legacy"}]
    ]


def test_gateway_names_a_partial_migration_at_start_up_and_on_reload(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: legacy\napis:\n  things: migrated\n")
    apis = ["--apis", "tests.gateway.renamed_parameter_api"]
    expected_routes = [{"route": renamed_parameter_api.RENAMED, "closest_migrated": renamed_parameter_api.TWIN}]
    with (
        GatewayProcess(flags, tmp_path, extra_args=apis) as gateway,
        ClientLoop(gateway.base_url, "/v1/things/abc") as loop,
    ):
        at_start_up = gateway.events("partial_migration")
        assert [(line["api"], line["routes"], line["level"]) for line in at_start_up] == [
            ("things", expected_routes, "warning")
        ]
        things = httpx.get(f"{gateway.base_url}/_gateway/status").json()["apis"]["things"]
        assert things["legacy_only_routes"] == expected_routes
        # `gateway diff things`: the renamed route, and a health route public on legacy only.
        assert things["contract"] == {"err": 2, "warn": 0}

        write_flags_atomically(flags, "default: legacy\n")
        gateway.wait_for_log(lambda line: line["event"] == "flags_changed", what="flags_changed to legacy")
        assert len(gateway.events("partial_migration")) == 1
        write_flags_atomically(flags, "default: migrated\n")
        reloaded = _nth_event(gateway, "partial_migration", 2)
        assert reloaded["routes"] == expected_routes
    assert not loop.failures(), loop.failures()[:5]
    # The route without a twin was served, by legacy, whatever the flags said.
    assert {observation.backend for observation in loop.observations} == {"legacy"}
