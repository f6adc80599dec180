"""SQLite access shared by the example implementations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

DATABASE_NAME = "state.db"


@asynccontextmanager
async def open_database(data_dir: Path, schema: str) -> AsyncIterator[aiosqlite.Connection]:
    """Open the data directory's database, create `schema` if missing, close on exit.

    WAL mode and a busy timeout let several workers share one database file.
    """
    connection = await aiosqlite.connect(data_dir / DATABASE_NAME, timeout=30)
    try:
        connection.row_factory = aiosqlite.Row
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.executescript(schema)
        await connection.commit()
        yield connection
    finally:
        await connection.close()
