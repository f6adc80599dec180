"""The writer process of one worker: the frames on its standard input as lines in rotated files.

    python -m proof.record.writer_process DIRECTORY MAX_BYTES WORKER_PID REDACT_JSON STATUS_FD

Started by the worker's `RecordWriter`, never by hand. Each frame comes as its length
(4 bytes, little-endian) and its bytes. What one read brings is made into lines and
written with one write: a reader of the file sees whole lines only. Files are named by
the worker's process id and a sequence number, and the next one is started when a line
would take one past `MAX_BYTES`. At the end of its input (the worker closed the pipe, or
died) the process writes what is left, reports its counts as JSON on `STATUS_FD` and
exits. Interrupts are the worker's to handle: a Ctrl-C reaching the whole process group
must not lose the lines still in the pipe.

The process runs at a lower priority (`NICENESS`): on a machine with no core to spare, the
worker's requests come first, and a writer that cannot keep up costs lines (dropped and
counted by the worker), not latency.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO

import structlog
from pydantic_core import to_json

from proof.record.frame import decoded
from proof.record.line import exchange_line

log = structlog.get_logger("proof.record")

READ_BYTES = 2**20
NICENESS = 10
"""Added to the worker's: the scheduler neither lets the writer preempt it nor starves the writer outright."""


class RecordFiles:
    """Appends lines to `recording-<worker>-<n>.jsonl` files in `directory`, each at most `max_bytes` (but one line)."""

    def __init__(self, directory: Path, max_bytes: int, worker: int) -> None:
        self.directory, self.max_bytes, self.worker = directory, max_bytes, worker
        self._file: IO[bytes] | None = None
        self._size = 0
        self._sequence = 0

    def write(self, lines: list[bytes]) -> None:
        pending: list[bytes] = []
        for line in lines:
            if self._file is None or (self._size and self._size + len(line) > self.max_bytes):
                self._write(pending)
                self._next_file()
            pending.append(line)
            self._size += len(line)
        self._write(pending)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def _write(self, pending: list[bytes]) -> None:
        if pending and self._file is not None:
            self._file.write(b"".join(pending))
            pending.clear()

    def _next_file(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._sequence += 1
            path = self.directory / f"recording-{self.worker}-{self._sequence:05d}.jsonl"
            if not path.exists():
                break
        self._file = path.open("ab", buffering=0)
        self._size = 0


def frames(buffer: bytearray) -> Iterator[bytes]:
    """The whole frames at the start of `buffer`, taken out of it; a frame's beginning stays for the next read."""
    start = 0
    while len(buffer) - start >= 4:
        end = start + 4 + int.from_bytes(buffer[start : start + 4], "little")
        if end > len(buffer):
            break
        yield bytes(buffer[start + 4 : end])
        start = end
    del buffer[:start]


class Lines:
    """Frames made into lines, counting those that could not be."""

    def __init__(self, redact: Collection[str]) -> None:
        self.redact = redact
        self.written = 0
        self.failed = 0

    def of(self, frames: Iterator[bytes]) -> list[bytes]:
        lines = []
        for frame in frames:
            try:
                lines.append(to_json(exchange_line(decoded(frame), self.redact)) + b"\n")
            except Exception:
                # One exchange that cannot be written down must not end the recording of every later one.
                self.failed += 1
                log.exception("record_line_failed")
        self.written += len(lines)
        return lines


def run(source: int, files: RecordFiles, lines: Lines) -> None:
    """Write the frames read from `source` until its end."""
    buffer = bytearray()
    try:
        while chunk := os.read(source, READ_BYTES):
            buffer += chunk
            files.write(lines.of(frames(buffer)))
    finally:
        files.close()


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.nice(NICENESS)
    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.WriteLoggerFactory(sys.stdout),
    )
    directory, max_bytes, worker, redact, status = argv
    lines = Lines(frozenset(json.loads(redact)))
    run(sys.stdin.fileno(), RecordFiles(Path(directory), int(max_bytes), int(worker)), lines)
    with os.fdopen(int(status), "w") as report:
        json.dump({"written": lines.written, "failed": lines.failed}, report)


if __name__ == "__main__":
    main(sys.argv[1:])
