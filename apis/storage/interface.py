"""The one interface the example APIs keep their state through, whichever database is behind it.

SQL is written once, for both databases: `?` placeholders, `BIGINT`/`TEXT` columns, row
values (``(created_at, id) < (?, ?)``) and ``INSERT ... ON CONFLICT DO NOTHING``. What the
two spell differently is asked of the database (`json_field`, `row_lock`)::

    async with open_database(context, SCHEMA) as db:   # apis.storage.database
        await db.execute("INSERT INTO items (id) VALUES (?) ON CONFLICT (id) DO NOTHING", ("a",))
        async with db.transaction() as tx:
            row = await tx.fetch_one(f"SELECT * FROM items WHERE id = ?{db.row_lock()}", ("a",))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol

Row = Mapping[str, Any]
DatabaseKind = Literal["sqlite", "postgresql"]


class Statements(Protocol):
    """Where SQL runs: the database itself (each statement committed alone) or one transaction."""

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query, read to its end."""
        ...

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        ...

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...


class Database(Statements, Protocol):
    """The state of one API: SQLite under the data directory, or a PostgreSQL database replicas share."""

    @property
    def kind(self) -> DatabaseKind:
        """Which database this is: what else depends on it (where file contents go, how batches are claimed)."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Statements]:
        """A write transaction: what the block reads stays true until it commits, whatever other
        processes do; committed when the block ends, rolled back when it raises."""
        ...

    async def create(self, schema: str) -> None:
        """Run `schema` (``CREATE ... IF NOT EXISTS`` statements), one process at a time."""
        ...

    def json_field(self, column: str, key: str) -> str:
        """SQL for the text of `key` in the JSON object held by `column`."""
        ...

    def row_lock(self, *, skip_locked: bool = False) -> str:
        """What ends a SELECT in a transaction to lock the rows it reads from other processes until it ends.

        With `skip_locked`, rows another transaction holds are left out instead of waited for.
        """
        ...
