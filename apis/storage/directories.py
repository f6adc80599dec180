"""The directories files are written into, and what a crash left half-written there."""

from __future__ import annotations

import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
import structlog

log = structlog.get_logger(__name__)


@asynccontextmanager
async def held_directory(directory: Path, temporary_prefix: str) -> AsyncIterator[None]:
    """Use `directory` for the block, first removing the half-written files a crash left there.

    A file named `temporary_prefix*` is being written, or was, by a process that died (`kill -9`,
    a power cut) before renaming it into place. Every process writing there holds a shared lock
    on the directory while the block runs, and the kernel drops a process's locks when it dies,
    however it dies. So a process that gets the lock exclusively is alone, and each such file is
    a leftover. A process starting beside running ones (another worker) cannot get it and leaves
    their files alone: leftovers then wait for a start with nobody else running.
    """
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        await anyio.to_thread.run_sync(_hold_and_sweep, descriptor, directory, temporary_prefix)
        yield
    finally:
        # Closing drops the lock.
        os.close(descriptor)


def _hold_and_sweep(descriptor: int, directory: Path, temporary_prefix: str) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass
    else:
        _remove_leftovers(directory, temporary_prefix)
    # Waits while another process sweeps; nobody writes while anybody sweeps.
    fcntl.flock(descriptor, fcntl.LOCK_SH)


def _remove_leftovers(directory: Path, temporary_prefix: str) -> None:
    removed: list[str] = []
    size = 0
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith(temporary_prefix) and entry.is_file(follow_symlinks=False):
                size += entry.stat(follow_symlinks=False).st_size
                os.unlink(entry.path)
                removed.append(entry.name)
    if removed:
        log.warning("partial_files_removed", directory=str(directory), files=sorted(removed), bytes=size)
