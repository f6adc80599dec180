from __future__ import annotations

import json
from pathlib import Path

from structlog.testing import capture_logs

from proof.record import RecordWriter


def test_writer_appends_whole_lines_and_rotates_past_the_size(tmp_path: Path) -> None:
    line = {"format": 1, "pad": "x" * 100}
    size = len(json.dumps(line, separators=(",", ":"))) + 1
    with RecordWriter(tmp_path / "records", max_bytes=3 * size) as writer:
        assert all(writer.write(lambda: line) for _ in range(7))
    files = sorted((tmp_path / "records").glob("*.jsonl"))
    assert [len(path.read_text().splitlines()) for path in files] == [3, 3, 1]
    assert all(json.loads(text) == line for path in files for text in path.read_text().splitlines())
    assert writer.written == 7 and writer.dropped == 0


def test_writer_drops_and_counts_lines_beyond_its_queue(tmp_path: Path) -> None:
    writer = RecordWriter(tmp_path, max_bytes=2**20, queue_size=2)
    # Not started: nothing takes lines off the queue.
    assert [writer.write(lambda: {"n": 1}) for _ in range(3)] == [True, True, False]
    assert writer.dropped == 1
    with writer:
        pass
    assert writer.written == 2


def test_a_second_writer_in_the_same_directory_never_appends_to_a_file_of_the_first(tmp_path: Path) -> None:
    with RecordWriter(tmp_path, max_bytes=2**20) as first:
        first.write(lambda: {"n": 1})
    with RecordWriter(tmp_path, max_bytes=2**20) as second:
        second.write(lambda: {"n": 2})
    assert [path.read_text() for path in sorted(tmp_path.glob("*.jsonl"))] == ['{"n":1}\n', '{"n":2}\n']


def test_a_line_that_cannot_be_made_is_counted_and_the_next_ones_are_written(tmp_path: Path) -> None:
    def broken() -> dict[str, object]:
        raise ValueError("not data")

    with capture_logs() as logs, RecordWriter(tmp_path, max_bytes=2**20) as writer:
        writer.write(broken)
        writer.write(lambda: {"n": 2})
    assert (writer.failed, writer.written) == (1, 1)
    assert [path.read_text() for path in tmp_path.glob("*.jsonl")] == ['{"n":2}\n']
    assert [entry["event"] for entry in logs] == ["record_line_failed"]
