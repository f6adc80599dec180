"""Appending recorded lines to rotated JSON Lines files, from a thread of the writer's own.

The event loop only queues what makes a line: turning the exchange's objects into data,
encoding it and writing it to disk happen on the writer's thread, so neither a large
exchange nor a slow disk stalls a request. (The objects are not changed once the response
is sent: the shadow queue keeps them for its replay on the same ground.)

Queuing is one append to a C queue; the thread is woken once `BATCH` lines wait (or after
`interval`) and writes them with one write and one flush. Woken per line, it would take the
GIL from the loop once per request; woken much later, the objects waiting would outlive
their request by long enough to set off the garbage collector's older generations, which
a request path that frees what it makes never does (measured: ~30 µs a request at a 50 ms
interval, ~2 µs at 16 lines). Each writer (one per worker process) writes files of its own,
named by its process id and a sequence number, and starts the next file when one would
pass `max_bytes`.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import structlog
from pydantic_core import to_json

log = structlog.get_logger("proof.record")

Line = Callable[[], dict[str, Any]]
"""Makes a line's data, on the writer's thread."""

QUEUE_SIZE = 1024
"""Lines waiting for the disk; beyond, a line is dropped and counted rather than stalling the request."""

BATCH = 16
"""Lines queued that wake the thread."""
INTERVAL = 0.05
"""Seconds a line waits for the disk at most, when fewer than `BATCH` come."""


class RecordWriter:
    """A worker's recording files::

    writer = RecordWriter(Path(".data/recordings"), max_bytes=64 * 2**20)
    with writer:
        writer.write(lambda: {"format": 1, ...})
    """

    def __init__(
        self, directory: Path, max_bytes: int, queue_size: int = QUEUE_SIZE, interval: float = INTERVAL
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.queue_size = queue_size
        self.interval = interval
        self.dropped = 0
        """Lines not written because the queue was full."""
        self.written = 0
        self.failed = 0
        """Lines whose data could not be made or encoded (logged as `record_line_failed`)."""
        self._queue: queue.SimpleQueue[Line] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._file: IO[bytes] | None = None
        self._size = 0
        self._sequence = 0

    def __enter__(self) -> RecordWriter:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._work, name="recording writer", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # Every line queued before the end reaches the disk.
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def write(self, line: Line) -> bool:
        """Queue `line` for the disk; False (and counted in `dropped`) when the queue is full."""
        # Only this thread adds: the size can only have shrunk since it was read.
        if self._queue.qsize() >= self.queue_size:
            self.dropped += 1
            return False
        self._queue.put(line)
        if self._queue.qsize() >= BATCH:
            self._wake.set()
        return True

    def _work(self) -> None:
        try:
            while not self._stopping.is_set():
                self._wake.wait(self.interval)
                self._wake.clear()
                self._batch()
            self._batch()
        finally:
            if self._file is not None:
                self._file.close()

    def _batch(self) -> None:
        """Write what is queued now, a file's share in one write: a reader sees whole lines only.

        One write a batch rather than one a line: each write lets go of the GIL, and taking it
        back from a busy event loop costs that loop a switch.
        """
        pending: list[bytes] = []
        for _ in range(self._queue.qsize()):
            line = self._queue.get_nowait()
            try:
                encoded = to_json(line()) + b"\n"
            except Exception:
                # One exchange that cannot be written down must not end the recording of every later one.
                self.failed += 1
                log.exception("record_line_failed")
                continue
            if self._file is None or (self._size and self._size + len(encoded) > self.max_bytes):
                self._write(pending)
                self._next_file()
            pending.append(encoded)
            self._size += len(encoded)
            self.written += 1
        self._write(pending)

    def _write(self, pending: list[bytes]) -> None:
        if pending and self._file is not None:
            self._file.write(b"".join(pending))
            self._file.flush()
            pending.clear()

    def _next_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._sequence += 1
            path = self.directory / f"recording-{os.getpid()}-{self._sequence:05d}.jsonl"
            if not path.exists():
                break
        self._file = path.open("ab", buffering=0)
        self._size = 0
