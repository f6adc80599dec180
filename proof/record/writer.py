"""Appending recorded lines to rotated JSON Lines files, from a thread of the writer's own.

The event loop only queues what makes a line: turning the exchange's objects into data,
encoding it and writing it to disk happen on the writer's thread, so neither a large
exchange nor a slow disk stalls a request. (The objects are not changed once the response
is sent: the shadow queue keeps them for its replay on the same ground.) Each writer (one per worker
process) writes files of its own, named by its process id and a sequence number, and
starts the next file when one would pass `max_bytes`.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

Line = Callable[[], dict[str, Any]]
"""Makes a line's data, on the writer's thread."""

QUEUE_SIZE = 1024
"""Lines waiting for the disk; beyond, a line is dropped and counted rather than stalling the request."""

_STOP = object()


class RecordWriter:
    """A worker's recording files::

    writer = RecordWriter(Path(".data/recordings"), max_bytes=64 * 2**20)
    with writer:
        writer.write(lambda: {"format": 1, ...})
    """

    def __init__(self, directory: Path, max_bytes: int, queue_size: int = QUEUE_SIZE) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.dropped = 0
        """Lines not written because the queue was full."""
        self.written = 0
        self._queue: queue.Queue[object] = queue.Queue(queue_size)
        self._thread: threading.Thread | None = None
        self._file: IO[bytes] | None = None
        self._size = 0
        self._sequence = 0

    def __enter__(self) -> RecordWriter:
        self._thread = threading.Thread(target=self._work, name="recording writer", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # Every line queued before the end reaches the disk.
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join()

    def write(self, line: Line) -> bool:
        """Queue `line` for the disk; False (and counted in `dropped`) when the queue is full."""
        try:
            self._queue.put_nowait(line)
        except queue.Full:
            self.dropped += 1
            return False
        return True

    def _work(self) -> None:
        try:
            while True:
                # What queued while the disk was busy is written in one go, with one flush.
                for line in self._batch():
                    if line is _STOP:
                        return
                    assert callable(line)
                    self._append(json.dumps(line(), separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
                if self._file is not None:
                    # Flushed per batch: a reader sees whole lines only.
                    self._file.flush()
        finally:
            if self._file is not None:
                self._file.close()

    def _batch(self) -> list[object]:
        batch = [self._queue.get()]
        with contextlib.suppress(queue.Empty):
            while len(batch) < self._queue.maxsize:
                batch.append(self._queue.get_nowait())
        return batch

    def _append(self, encoded: bytes) -> None:
        if self._file is None or (self._size and self._size + len(encoded) > self.max_bytes):
            self._next_file()
        assert self._file is not None
        self._file.write(encoded)
        self._size += len(encoded)
        self.written += 1

    def _next_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._sequence += 1
            path = self.directory / f"recording-{os.getpid()}-{self._sequence:05d}.jsonl"
            if not path.exists():
                break
        self._file = path.open("ab")
        self._size = 0
