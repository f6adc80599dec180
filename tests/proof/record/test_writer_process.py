"""The writer process's own work, in this process: frames cut from what a read brings, lines made, files rotated."""

from __future__ import annotations

import json
import os
from pathlib import Path

import msgspec

from proof.record.frame import Frame
from proof.record.writer_process import Lines, RecordFiles, frames, run


def _framed(path: str) -> bytes:
    frame = msgspec.msgpack.encode(Frame(0.0, "models", "GET /x", "GET", path, b"", [], [], [], 200, [], []))
    return len(frame).to_bytes(4, "little") + frame


def test_a_frame_cut_by_a_read_waits_for_the_rest() -> None:
    whole, cut = _framed("/1"), _framed("/2")
    buffer = bytearray(whole + cut[:7])
    assert list(frames(buffer)) == [whole[4:]]
    assert buffer == cut[:7]
    buffer += cut[7:]
    assert list(frames(buffer)) == [cut[4:]] and buffer == b""


def test_frames_read_to_the_end_become_lines_in_rotated_files_the_broken_one_counted(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.write(write, _framed("/1") + (5).to_bytes(4, "little") + b"\xc1junk" + _framed("/2") + _framed("/3"))
    os.close(write)
    lines = Lines(frozenset())
    line_bytes = len(lines.of(iter([_framed("/1")[4:]]))[0])
    lines.written = 0
    run(read, RecordFiles(tmp_path, 2 * line_bytes, worker=42), lines)
    os.close(read)
    files = sorted(tmp_path.glob("recording-42-*.jsonl"))
    assert [[json.loads(text)["request"]["path"] for text in path.read_text().splitlines()] for path in files] == [
        ["/1", "/2"],
        ["/3"],
    ]
    assert (lines.written, lines.failed) == (3, 1)
