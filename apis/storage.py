"""SQLite access shared by the example implementations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

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
