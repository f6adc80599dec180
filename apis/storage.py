"""Storage shared by the example implementations: SQLite access, and the directories files are written into."""

from __future__ import annotations

import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import anyio.to_thread
import structlog

log = structlog.get_logger(__name__)

DATABASE_NAME = "state.db"
# How long a write waits for another worker's write to finish before failing with "database is locked".
BUSY_TIMEOUT_SECONDS = 30


@asynccontextmanager
async def open_database(data_dir: Path, schema: str) -> AsyncIterator[aiosqlite.Connection]:
    """Open the data directory's database, create `schema` if missing, close on exit.

    WAL mode and a busy timeout let several worker processes share one database file:
    readers never block the writer, and a writer waits for another instead of failing.
    The connection is in autocommit mode: each statement is its own transaction unless run
    in `write_transaction`, and `commit()` after a statement is harmless.
    """
    # Autocommit, because the sqlite3 module's implicit BEGIN leaves a transaction open, with the
    # write lock of every worker's database, after a write that fails (a duplicate key, say).
    connection = await aiosqlite.connect(data_dir / DATABASE_NAME, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        connection.row_factory = aiosqlite.Row
        # `timeout=` already sets it; stated again so that the setting is visible to whoever reads the pragmas.
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.executescript(schema)
        await connection.commit()
        yield connection
    finally:
        await connection.close()


@asynccontextmanager
async def write_transaction(connection: aiosqlite.Connection) -> AsyncIterator[None]:
    """Run the block as one transaction holding the database's write lock from its start.

    `BEGIN IMMEDIATE` takes the lock before the first read, so what the block reads is
    still true when its writes commit, whatever other processes do meanwhile. A deferred
    transaction would take it only at the first write, and could then fail instead of waiting.
    Commits when the block ends, rolls back when it raises.
    """
    try:
        # Inside the try: cancelled while waiting for the lock, the BEGIN still runs on the
        # connection's thread, and the rollback queued behind it must end that transaction.
        await connection.execute("BEGIN IMMEDIATE")
        yield
    except BaseException:
        await connection.rollback()
        raise
    await connection.commit()


async def fetch_one(
    connection: aiosqlite.Connection, sql: str, parameters: tuple[Any, ...] = ()
) -> aiosqlite.Row | None:
    """The first row of a query, read to its end.

    A statement left part-read keeps the connection's read transaction open across the next
    `await`; another task's write on the connection then fails at once with "database is locked".
    """
    rows = await fetch_all(connection, sql, parameters)
    return rows[0] if rows else None


async def fetch_all(
    connection: aiosqlite.Connection, sql: str, parameters: tuple[Any, ...] = ()
) -> list[aiosqlite.Row]:
    """Every row of a query, read to its end (see `fetch_one`)."""
    return list(await connection.execute_fetchall(sql, parameters))


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
