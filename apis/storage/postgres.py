"""PostgreSQL: one database that replicas on several machines share.

psycopg 3 (typed, so mypy checks the calls; its pool checks a connection before lending it, so
a database restart costs no failed request) with a small pool per API and worker: each
transaction has a connection of its own, so one task's transaction never holds up another's.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal
from urllib.parse import urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from apis.storage.exceptions import DatabaseUnavailableError, DatabaseUrlError
from apis.storage.interface import Row, Statements

CONNECT_TIMEOUT_SECONDS = 10
POOL_SIZE = 4
# Replicas starting together would race on CREATE ... IF NOT EXISTS (each can fail on the catalogue's
# unique index): a transaction-scoped advisory lock lets one create at a time.
SCHEMA_LOCK = zlib.crc32(b"strangler-gateway schema")

Connection = psycopg.AsyncConnection[DictRow]


def _query(sql: str, parameters: Sequence[Any]) -> tuple[str, tuple[Any, ...] | None]:
    """`sql` with psycopg's placeholders for our `?` ones; with no parameters, as written (a script, say)."""
    if not parameters:
        return sql, None
    return sql.replace("%", "%%").replace("?", "%s"), tuple(parameters)


class _Connection:
    """Statements on one connection: committed each alone, or inside the transaction it is in."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        cursor = await self.connection.execute(*_query(sql, parameters))
        return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetch_all(sql, parameters)
        return rows[0] if rows else None

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        cursor = await self.connection.execute(*_query(sql, parameters))
        return cursor.rowcount


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database; each call borrows one."""

    kind: Literal["postgresql"] = "postgresql"

    def __init__(self, pool: AsyncConnectionPool[Connection]) -> None:
        self.pool = pool

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        async with self.pool.connection() as connection:
            return await _Connection(connection).fetch_all(sql, parameters)

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        async with self.pool.connection() as connection:
            return await _Connection(connection).fetch_one(sql, parameters)

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        async with self.pool.connection() as connection:
            return await _Connection(connection).execute(sql, parameters)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Statements]:
        """Rows are locked as the block reads them with `row_lock()`, not the whole database:
        replicas working on different rows never wait for each other."""
        async with self.pool.connection() as connection, connection.transaction():
            yield _Connection(connection)

    async def create(self, schema: str) -> None:
        async with self.transaction() as statements:
            await statements.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            await statements.execute(schema)

    def json_field(self, column: str, key: str) -> str:
        return f"({column}::jsonb ->> '{key}')"

    def row_lock(self, *, skip_locked: bool = False) -> str:
        return " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"


def _check_url(url: str) -> None:
    try:
        conninfo_to_dict(url)
        # libpq would take a port that is no number for a service name, and fail on resolving the host.
        _ = urlsplit(url).port
    except (psycopg.ProgrammingError, ValueError) as exc:
        raise DatabaseUrlError(url, f"not a connection URL psycopg accepts ({_first_line(exc)})") from None


async def _check_connection(url: str) -> None:
    """Connect once, so that a wrong URL or an unreachable server is reported as libpq says it, at start-up."""
    _check_url(url)
    try:
        connection = await psycopg.AsyncConnection.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailableError(url, f"cannot connect: {_first_line(exc)}") from None
    await connection.close()


def _first_line(exc: Exception) -> str:
    # libpq's messages go on with a hint line ("Is the server running on that host...?").
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@asynccontextmanager
async def open_postgres(url: str) -> AsyncIterator[PostgresDatabase]:
    """A pool of connections to `url`, closed on exit; `DatabaseUnavailableError` if it cannot be reached."""
    await _check_connection(url)
    pool = AsyncConnectionPool(
        url,
        connection_class=Connection,
        kwargs={"row_factory": dict_row, "autocommit": True, "connect_timeout": CONNECT_TIMEOUT_SECONDS},
        min_size=1,
        max_size=POOL_SIZE,
        check=AsyncConnectionPool.check_connection,
        open=False,
    )
    await pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        yield PostgresDatabase(pool)
    finally:
        await pool.close()
