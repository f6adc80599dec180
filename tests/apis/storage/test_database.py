"""The one storage interface, SQLite and PostgreSQL behind it: the SQL the APIs write runs the same on both."""

from __future__ import annotations

import asyncio
import json

import pytest

from apis.storage import Database, open_database
from gateway import ApiContext

pytestmark = pytest.mark.anyio

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
"""


async def test_statements_report_the_rows_they_changed(storage_context: ApiContext) -> None:
    async with open_database(storage_context, SCHEMA) as db:
        insert = "INSERT INTO items (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"

        assert await db.execute(insert, ("a", 1)) == 1
        assert await db.execute(insert, ("a", 2)) == 0
        assert await db.execute("UPDATE items SET created_at = ? WHERE id = ?", (3, "a")) == 1
        assert await db.fetch_one("SELECT id, created_at FROM items WHERE id = ?", ("a",)) == {
            "id": "a",
            "created_at": 3,
        }
        assert await db.fetch_one("SELECT * FROM items WHERE id = ?", ("missing",)) is None


async def test_row_values_page_in_creation_order(storage_context: ApiContext) -> None:
    async with open_database(storage_context, SCHEMA) as db:
        for item_id, created_at in [("b", 1), ("a", 2), ("c", 2), ("d", 3)]:
            await db.execute("INSERT INTO items (id, created_at) VALUES (?, ?)", (item_id, created_at))

        rows = await db.fetch_all(
            "SELECT id FROM items WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?", (2, "a", 5)
        )

        assert [row["id"] for row in rows] == ["c", "d"]


async def test_json_field_reads_a_key_of_a_json_column(storage_context: ApiContext) -> None:
    async with open_database(storage_context, SCHEMA) as db:
        for item_id, status in [("a", "running"), ("b", "done"), ("c", "running")]:
            await db.execute(
                "INSERT INTO items (id, created_at, data) VALUES (?, 0, ?)", (item_id, json.dumps({"status": status}))
            )

        rows = await db.fetch_all(
            f"SELECT id FROM items WHERE {db.json_field('data', 'status')} = ? ORDER BY id", ("running",)
        )

        assert [row["id"] for row in rows] == ["a", "c"]


async def test_a_transaction_rolls_back_when_its_block_raises(storage_context: ApiContext) -> None:
    async with open_database(storage_context, SCHEMA) as db:
        with pytest.raises(RuntimeError):
            async with db.transaction() as transaction:
                await transaction.execute("INSERT INTO items (id, created_at) VALUES ('a', 0)")
                raise RuntimeError("changed my mind")

        assert await db.fetch_all("SELECT id FROM items") == []
        async with db.transaction() as transaction:
            await transaction.execute("INSERT INTO items (id, created_at) VALUES ('b', 0)")
        assert await db.fetch_all("SELECT id FROM items") == [{"id": "b"}]


async def test_what_a_transaction_reads_stays_true_until_it_commits(storage_context: ApiContext) -> None:
    # Two workers increment one counter at once, each a read then a write: neither increment is lost.
    async with open_database(storage_context, SCHEMA) as one, open_database(storage_context, SCHEMA) as other:
        await one.execute("INSERT INTO items (id, created_at) VALUES ('counter', 0)")

        async def increment(db: Database) -> None:
            for _ in range(5):
                async with db.transaction() as transaction:
                    row = await transaction.fetch_one(
                        f"SELECT created_at FROM items WHERE id = 'counter'{db.row_lock()}"
                    )
                    assert row is not None
                    # The other worker runs here: its read of the counter must wait for this write.
                    await asyncio.sleep(0.001)
                    count = row["created_at"] + 1
                    await transaction.execute("UPDATE items SET created_at = ? WHERE id = 'counter'", (count,))

        await asyncio.gather(increment(one), increment(other))

        assert await one.fetch_one("SELECT created_at FROM items WHERE id = 'counter'") == {"created_at": 10}


async def test_replicas_creating_the_schema_at_once_all_start(storage_context: ApiContext) -> None:
    async def start() -> None:
        async with open_database(storage_context, SCHEMA) as db:
            await db.fetch_all("SELECT id FROM items")

    await asyncio.gather(*(start() for _ in range(4)))
