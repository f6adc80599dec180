"""A worker's recorded exchanges, handed to a writer process of its own that writes them down.

A thread of the worker's would share its GIL: everything it did (building the line's data,
JSON, the disk) and every hand-over of the GIL counted against a busy event loop. So the
loop only encodes each exchange once (`proof.record.frame`) and queues the bytes; they go
down a pipe to the writer process (`proof.record.writer_process`) `BATCH` frames at a time
(or after `interval`), in one non-blocking write, which makes and writes the lines.

The process is started with the first line, so a worker that records nothing runs none,
and ends with the worker: at the end of the block every queued line is sent and the pipe
closed, and the process writes what it has and exits; a worker that dies closes the pipe
all the same. A full queue (the pipe full as well) drops the line and counts it, as does a
writer process that died (logged once): the worker goes on serving either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Collection
from pathlib import Path

import structlog

log = structlog.get_logger("proof.record")

QUEUE_SIZE = 1024
"""Lines waiting for the pipe; beyond, a line is dropped and counted rather than stalling the request."""

BATCH = 16
"""Lines queued that are sent at once: one write for many, as each write is a system call on the loop."""
INTERVAL = 0.05
"""Seconds a line waits to be sent at most, when fewer than `BATCH` come."""
PIPE_BYTES = 2**20
"""The pipe's buffer, asked of the kernel: a burst waits there rather than in the queue."""
STOP_SECONDS = 10.0
"""At the end, how long the writer process has to take the last lines and exit before it is killed."""

_PROOF_ROOT = Path(__file__).resolve().parents[2]
"""The directory `proof` is imported from, for the writer process to import it too."""


class RecordWriter:
    """A worker's recording files, written by a process of its own::

    writer = RecordWriter(Path(".data/recordings"), max_bytes=64 * 2**20, redact={"authorization"})
    with writer:
        writer.write(encoded(tap, "models", "GET /v1/models", time.time()), "models")

    `dropped(label)` is told of each line dropped, by the label it was written with.
    """

    def __init__(
        self,
        directory: Path,
        max_bytes: int,
        *,
        redact: Collection[str] = (),
        queue_size: int = QUEUE_SIZE,
        interval: float = INTERVAL,
        stop_seconds: float = STOP_SECONDS,
        dropped: Callable[[str], None] = lambda label: None,
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.redact = frozenset(redact)
        self.queue_size = queue_size
        self.interval = interval
        self.stop_seconds = stop_seconds
        self._told = dropped
        self.dropped = 0
        """Lines not written: the queue was full, or the writer process gone."""
        self.written = 0
        self.failed = 0
        """As the writer process reported when it ended: lines written, and lines it could not make (logged)."""
        self._pending: list[bytes] = []
        """Each queued line's length (4 bytes) and frame, ready to be joined."""
        self._labels: list[str] = []
        self._unsent = b""
        """What a write left over (the pipe was full), sent when it has room; then the queue."""
        self._unsent_labels: list[str] = []
        self._open = False
        self._dead = False
        self._process: subprocess.Popen[bytes] | None = None
        self._status = -1
        self._timer: asyncio.TimerHandle | None = None

    @property
    def process_id(self) -> int | None:
        """The writer process's id, once it is started."""
        return None if self._process is None else self._process.pid

    def __enter__(self) -> RecordWriter:
        self._open = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._open = False
        if self._timer is not None:
            self._timer.cancel()
        if self._unsent:
            asyncio.get_running_loop().remove_writer(self._pipe)
        if self._labels and not self._dead and self._process is None:
            self._start()
        if self._process is not None:
            self._stop(self._process, time.monotonic() + self.stop_seconds)
            self._process = None

    def write(self, frame: bytes, label: str = "") -> bool:
        """Queue `frame` for the disk; False (and counted) when there is no room or no writer process."""
        if self._dead or len(self._labels) >= self.queue_size:
            self._drop([label])
            return False
        self._pending += (len(frame).to_bytes(4, "little"), frame)
        self._labels.append(label)
        if len(self._labels) >= BATCH:
            self._flush()
        elif self._timer is None and self._open:
            self._timer = asyncio.get_running_loop().call_later(self.interval, self._flush)
        return True

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._open or self._unsent or not self._labels:
            return
        if self._process is None and not self._start():
            return
        data, labels = b"".join(self._pending), self._labels
        self._pending, self._labels = [], []
        self._send(data, labels)

    def _send(self, data: bytes, labels: list[str]) -> None:
        try:
            sent = os.write(self._pipe, data)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._died(labels)
            return
        if sent < len(data):
            self._unsent, self._unsent_labels = data[sent:], labels
            asyncio.get_running_loop().add_writer(self._pipe, self._resume)

    def _resume(self) -> None:
        asyncio.get_running_loop().remove_writer(self._pipe)
        data, labels = self._unsent, self._unsent_labels
        self._unsent, self._unsent_labels = b"", []
        self._send(data, labels)
        if not self._unsent and self._labels and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(0, self._flush)

    @property
    def _pipe(self) -> int:
        assert self._process is not None and self._process.stdin is not None
        return self._process.stdin.fileno()

    def _start(self) -> bool:
        status_read, status_write = os.pipe()
        command = [
            # -P: the working directory's own modules (a `proof` of another project, say) come after ours.
            *(sys.executable, "-P", "-m", "proof.record.writer_process"),
            *(str(self.directory), str(self.max_bytes), str(os.getpid())),
            *(json.dumps(sorted(self.redact)), str(status_write)),
        ]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_PROOF_ROOT), os.getenv("PYTHONPATH")]))}
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, pass_fds=(status_write,), env=env)
        except OSError:
            os.close(status_read)
            log.exception("record_writer_not_started")
            self._died([])
            return False
        finally:
            os.close(status_write)
        self._status = status_read
        os.set_blocking(self._pipe, False)
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(self._pipe, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        return True

    def _stop(self, process: subprocess.Popen[bytes], deadline: float) -> None:
        """Send what is left, close the pipe, and wait for the process to write it (killed at `deadline`)."""
        data, labels = self._unsent + b"".join(self._pending), self._unsent_labels + self._labels
        self._unsent, self._unsent_labels, self._pending, self._labels = b"", [], [], []
        while data and not self._dead:
            if not select.select([], [self._pipe], [], max(0.0, deadline - time.monotonic()))[1]:
                log.error("record_writer_stuck", lines=len(labels))
                self._drop(labels)
                break
            try:
                data = data[os.write(self._pipe, data) :]
            except BlockingIOError:
                continue
            except OSError:
                self._died(labels)
        assert process.stdin is not None
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.error("record_writer_killed", seconds=self.stop_seconds)
            process.kill()
            process.wait()
        with os.fdopen(self._status, "rb") as status:
            report = status.read()
        if report:
            counts = json.loads(report)
            self.written, self.failed = counts["written"], counts["failed"]

    def _died(self, labels: list[str]) -> None:
        if not self._dead:
            code = None if self._process is None else self._process.poll()
            log.error("record_writer_died", exit_code=code, directory=str(self.directory))
        self._dead = True
        self._drop([*labels, *self._unsent_labels, *self._labels])
        self._pending, self._labels, self._unsent, self._unsent_labels = [], [], b"", []

    def _drop(self, labels: list[str]) -> None:
        self.dropped += len(labels)
        for label in labels:
            self._told(label)
