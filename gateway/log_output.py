"""Where the JSON log lines go: one file descriptor, written once per event-loop turn rather than once per line.

A request line written while a loop runs joins the lines of the same loop turn, and the
first one asks the loop to write them all when the turn's ready work is done: under load
one `write` carries many lines, and a line waits for at most one loop turn. Without a
running loop (start-up, a thread, a test) a line is written at once. Every other line of
the process (structlog's, the standard library's, uvicorn's) goes through `text`, which
writes what is buffered first, so the lines keep their order. Each `write` holds whole
lines and, when it can, at most `PIPE_BUF` bytes, the size a pipe writes without mixing
in the lines of another worker sharing it. What is buffered at exit is written then.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import select
import threading
import weakref
from typing import TextIO, cast


class LogOutput:
    """Lines for file descriptor `fd`, batched per event-loop turn::

    output = LogOutput(1)
    output.write(b'{"event": "request", ...}\\n')   # written at the end of this loop turn
    output.text.write("a line\\n")                     # written now, after what is buffered
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._pending: list[bytes] = []
        self._flush_scheduled_on: asyncio.AbstractEventLoop | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        # Lines of other threads (uvicorn's, the recorder's) may be written while the loop thread flushes.
        self._lock = threading.Lock()
        self.text = cast("TextIO", _TextLines(self))
        """A text stream for structlog's and the standard library's handlers: each line written at once, in order."""
        _OUTPUTS.add(self)

    def write(self, line: bytes) -> None:
        """Write `line` (one or more whole lines) by the end of the running loop's turn, or now without one."""
        self._pending.append(line)
        scheduled = self._flush_scheduled_on
        # A loop closed before its turn ended never flushes: the next line schedules its flush anew.
        if scheduled is None or scheduled.is_closed():
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        loop = self._loop
        # asyncio.get_running_loop costs more than the rest of a line: the loop of the last flush is reused while
        # it runs in this thread (a thread runs one loop at a time).
        if loop is None or threading.get_ident() != self._loop_thread or not loop.is_running():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()
                return
            self._loop, self._loop_thread = loop, threading.get_ident()
        self._flush_scheduled_on = loop
        loop.call_soon(self.flush)

    def write_now(self, data: bytes) -> None:
        """Write what is buffered, then `data`."""
        self._pending.append(data)
        self.flush()

    def flush(self) -> None:
        """Write what is buffered."""
        self._flush_scheduled_on = None
        pending = self._pending
        # acquire/release: a third of the cost of `with`, on the path every loop turn takes.
        self._lock.acquire()
        try:
            if len(pending) == 1:
                self._write_all(pending.pop(0))
            elif pending:
                # Lines another thread adds meanwhile stay, for the flush after.
                lines = pending[:]
                del pending[: len(lines)]
                for chunk in _chunks(lines):
                    self._write_all(chunk)
        finally:
            self._lock.release()

    def _write_all(self, data: bytes) -> None:
        written = os.write(self.fd, data)
        while written < len(data):
            # A blocking write is whole unless a signal interrupts it part-way.
            data = data[written:]
            written = os.write(self.fd, data)


def _chunks(lines: list[bytes]) -> list[bytes]:
    """`lines` joined into writes of whole lines, each at most PIPE_BUF bytes unless one line is longer."""
    if sum(map(len, lines)) <= select.PIPE_BUF:
        return [b"".join(lines)]
    chunks: list[bytes] = []
    chunk: list[bytes] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) > select.PIPE_BUF:
            chunks.append(b"".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line)
    chunks.append(b"".join(chunk))
    return chunks


class _TextLines:
    """The file-like side of a `LogOutput` that structlog's `WriteLogger` and `logging.StreamHandler` write to."""

    def __init__(self, output: LogOutput) -> None:
        self._output = output

    def write(self, text: str) -> int:
        self._output.write_now(text.encode())
        return len(text)

    def flush(self) -> None:
        """Nothing to do: each write is already out."""


_OUTPUTS: weakref.WeakSet[LogOutput] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    for output in list(_OUTPUTS):
        output.flush()
