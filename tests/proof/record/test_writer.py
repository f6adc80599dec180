"""The worker's writer: frames handed to a writer process of its own, written down as lines, dropped and counted
when there is no room or no process, and never holding up the worker's end."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import msgspec
import pytest
from structlog.testing import capture_logs

from proof.record.frame import Frame
from proof.record.writer import RecordWriter

pytestmark = pytest.mark.anyio


def _frame(path: str = "/v1/models", pad: str = "") -> bytes:
    return msgspec.msgpack.encode(
        Frame(0.0, "models", "GET /v1/models", "GET", path, pad.encode(), [], [], [], 200, [], [b"{}"])
    )


def _lines(directory: Path) -> list[list[str]]:
    """Each file's lines' request paths, files in order."""
    files = sorted(directory.glob("*.jsonl"))
    return [[json.loads(text)["request"]["path"] for text in path.read_text().splitlines()] for path in files]


async def test_writer_appends_whole_lines_and_rotates_past_the_size(tmp_path: Path) -> None:
    with RecordWriter(tmp_path / "records", max_bytes=1) as writer:
        # One line a file: each would take the file past a byte.
        assert all(writer.write(_frame(f"/{n}")) for n in range(3))
    assert _lines(tmp_path / "records") == [["/0"], ["/1"], ["/2"]]
    assert (writer.written, writer.dropped, writer.failed) == (3, 0, 0)
    with RecordWriter(tmp_path / "big", max_bytes=2**20) as writer:
        for n in range(40):
            writer.write(_frame(f"/{n}"))
    assert _lines(tmp_path / "big") == [[f"/{n}" for n in range(40)]]


async def test_lines_reach_the_disk_while_the_worker_runs_not_only_at_the_end(tmp_path: Path) -> None:
    with RecordWriter(tmp_path, max_bytes=2**20, interval=0.01) as writer:
        writer.write(_frame())
        deadline = time.monotonic() + 10
        while not _lines(tmp_path) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert _lines(tmp_path) == [["/v1/models"]]
        assert writer.process_id is not None


async def test_a_worker_that_records_nothing_starts_no_writer_process(tmp_path: Path) -> None:
    with RecordWriter(tmp_path, max_bytes=2**20) as writer:
        pass
    assert writer.process_id is None and not list(tmp_path.iterdir())


async def test_writer_drops_and_counts_lines_beyond_its_queue_by_label(tmp_path: Path) -> None:
    dropped: list[str] = []
    writer = RecordWriter(tmp_path, max_bytes=2**20, queue_size=2, dropped=dropped.append)
    # Not entered: nothing takes lines off the queue.
    assert [writer.write(_frame(), api) for api in ("a", "b", "c")] == [True, True, False]
    assert writer.dropped == 1 and dropped == ["c"]
    with writer:
        pass
    assert writer.written == 2


async def test_a_second_writer_in_the_same_directory_never_appends_to_a_file_of_the_first(tmp_path: Path) -> None:
    with RecordWriter(tmp_path, max_bytes=2**20) as first:
        first.write(_frame("/1"))
    with RecordWriter(tmp_path, max_bytes=2**20) as second:
        second.write(_frame("/2"))
    assert _lines(tmp_path) == [["/1"], ["/2"]]
    assert all(path.name.startswith(f"recording-{os.getpid()}-") for path in tmp_path.iterdir())


async def test_a_line_that_cannot_be_made_is_counted_and_the_next_ones_are_written(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with RecordWriter(tmp_path, max_bytes=2**20) as writer:
        writer.write(b"\x93not a frame")
        writer.write(_frame("/2"))
    assert (writer.failed, writer.written) == (1, 1)
    assert _lines(tmp_path) == [["/2"]]
    (logged,) = [json.loads(line) for line in capfd.readouterr().out.splitlines() if "record_line_failed" in line]
    assert logged["level"] == "error" and "Traceback" in logged["exception"]


async def test_a_writer_process_that_died_costs_lines_not_requests_and_is_logged_once(tmp_path: Path) -> None:
    dropped: list[str] = []
    with capture_logs() as logs, RecordWriter(tmp_path, max_bytes=2**20, dropped=dropped.append) as writer:
        writer.write(_frame(), "models")
        await asyncio.sleep(0.1)
        assert writer.process_id is not None
        os.kill(writer.process_id, signal.SIGKILL)
        await asyncio.sleep(0.2)
        started = time.monotonic()
        # Enough lines to be sent (and find the pipe broken), then more that find the writer gone.
        results = [writer.write(_frame(), "models") for _ in range(40)]
        assert time.monotonic() - started < 1
    assert results[:16] == [True] * 16 and not any(results[16:])
    assert writer.dropped == len(dropped) == 40 and set(dropped) == {"models"}
    assert [entry["event"] for entry in logs] == ["record_writer_died"]


async def test_a_stuck_writer_process_is_killed_at_the_end_rather_than_holding_up_the_worker(tmp_path: Path) -> None:
    with capture_logs() as logs, RecordWriter(tmp_path, max_bytes=2**20, stop_seconds=0.5) as writer:
        writer.write(_frame())
        await asyncio.sleep(0.1)
        assert writer.process_id is not None
        os.kill(writer.process_id, signal.SIGSTOP)
        started = time.monotonic()
    assert time.monotonic() - started < 5
    assert [entry["event"] for entry in logs] == ["record_writer_killed"]
