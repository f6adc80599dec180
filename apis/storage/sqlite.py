"""SQLite under the data directory: the default, shared by the worker processes of one machine."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from apis.storage.interface import Row, Statements

DATABASE_NAME = "state.db"
# How long a write waits for another worker's write to finish before failing with "database is locked".
BUSY_TIMEOUT_SECONDS = 30


class _Connection:
    """Statements on the connection as it is: in autocommit mode, or inside the transaction a caller began."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        # Read to its end: a statement left part-read keeps the connection's read transaction open across
        # the next `await`, and another task's write on the connection then fails with "database is locked".
        return [dict(row) for row in await self.connection.execute_fetchall(sql, tuple(parameters))]

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetch_all(sql, parameters)
        return rows[0] if rows else None

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        cursor = await self.connection.execute(sql, tuple(parameters))
        return cursor.rowcount


class SqliteDatabase(_Connection):
    """One connection to `<data_dir>/state.db`, shared by the tasks of one worker process.

    WAL mode and a busy timeout let several worker processes share the file: readers never
    block the writer, and a writer waits for another instead of failing. The connection is
    in autocommit mode: each statement is its own transaction unless run in `transaction()`.
    """

    kind: Literal["sqlite"] = "sqlite"

    def __init__(self, connection: aiosqlite.Connection) -> None:
        super().__init__(connection)
        # The tasks of this process share one connection, hence one transaction at a time: the
        # database lock keeps other processes out, this lock keeps this process's other tasks out.
        self._lock = asyncio.Lock()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        # Outside another task's transaction, which a statement on the shared connection would join.
        async with self._lock:
            return await super().execute(sql, parameters)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Statements]:
        """`BEGIN IMMEDIATE` takes the write lock before the first read, so what the block reads is
        still true when its writes commit. A deferred transaction would take it only at the first
        write, and could then fail instead of waiting."""
        async with self._lock:
            try:
                # Inside the try: cancelled while waiting for the lock, the BEGIN still runs on the
                # connection's thread, and the rollback queued behind it must end that transaction.
                await self.connection.execute("BEGIN IMMEDIATE")
                yield _Connection(self.connection)
            except BaseException:
                await self.connection.rollback()
                raise
            await self.connection.commit()

    async def create(self, schema: str) -> None:
        # Holding the write lock from the start: statement by statement, a worker that read the schema
        # while another created it fails at once with "database is locked", whatever the busy timeout.
        async with self._lock:
            try:
                await self.connection.executescript(f"BEGIN IMMEDIATE;\n{schema}\nCOMMIT;")
            except BaseException:
                await self.connection.rollback()
                raise

    def json_field(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    def row_lock(self, *, skip_locked: bool = False) -> str:
        # A write transaction already holds the whole database: there is nothing to skip.
        return ""


async def _write_ahead_logging(connection: aiosqlite.Connection) -> None:
    """Put the file in WAL mode, waiting as long as a write would for workers opening it at the same time.

    Only a new file changes mode, and that change fails at once with "database is locked" while
    another connection opens it: SQLite's busy timeout does not apply to it.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            await connection.execute_fetchall("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.01)


@asynccontextmanager
async def open_sqlite(data_dir: Path) -> AsyncIterator[SqliteDatabase]:
    """Open the data directory's database, close it on exit."""
    # Autocommit, because the sqlite3 module's implicit BEGIN leaves a transaction open, with the
    # write lock of every worker's database, after a write that fails (a duplicate key, say).
    connection = await aiosqlite.connect(data_dir / DATABASE_NAME, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        connection.row_factory = aiosqlite.Row
        # `timeout=` already sets it; stated again so that the setting is visible to whoever reads the pragmas.
        # Read to the end, like every query here: a pragma's row left unread keeps its statement in progress.
        await connection.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        await _write_ahead_logging(connection)
        yield SqliteDatabase(connection)
    finally:
        await connection.close()
