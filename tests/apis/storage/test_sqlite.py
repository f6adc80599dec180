"""What SQLite alone needs: worker processes of one machine sharing the file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import apis.storage.sqlite
from apis.storage.sqlite import SqliteDatabase, open_sqlite

pytestmark = pytest.mark.anyio

SCHEMA = "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY);"


async def rows(db: SqliteDatabase, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await db.connection.execute_fetchall(sql)]


async def test_database_has_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    async with open_sqlite(tmp_path) as db:
        assert await rows(db, "PRAGMA journal_mode") == [("wal",)]
        assert await rows(db, "PRAGMA busy_timeout") == [(apis.storage.sqlite.BUSY_TIMEOUT_SECONDS * 1000,)]


async def test_a_failed_write_keeps_no_lock_from_other_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apis.storage.sqlite, "BUSY_TIMEOUT_SECONDS", 1)
    async with open_sqlite(tmp_path) as one:
        await one.create(SCHEMA)
        async with open_sqlite(tmp_path) as other:
            await one.execute("INSERT INTO items VALUES ('a')")
            with pytest.raises(sqlite3.IntegrityError):
                await one.execute("INSERT INTO items VALUES ('a')")

            async with other.transaction() as transaction:
                await transaction.execute("INSERT INTO items VALUES ('b')")

            assert await rows(one, "SELECT id FROM items ORDER BY id") == [("a",), ("b",)]


async def test_workers_opening_a_new_file_at_once_all_start(tmp_path: Path) -> None:
    # A race: before the file is in WAL mode, each round had about one chance in three to lock one worker out.
    for round_number in range(20):
        data_dir = tmp_path / str(round_number)
        data_dir.mkdir()

        async def start(data_dir: Path = data_dir) -> None:
            async with open_sqlite(data_dir) as db:
                await db.create(SCHEMA)
                await db.fetch_all("SELECT id FROM items")

        await asyncio.gather(*(start() for _ in range(4)))
