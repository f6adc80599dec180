"""Where the example APIs keep their state: one `Database` interface, SQLite or PostgreSQL behind it.

SQLite under the data directory is the default; a `context.database` URL
(``gateway serve --database postgresql://...``) names a PostgreSQL database that replicas
on several machines share.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from apis.storage.database import Database, DatabaseKind, Row, Statements
from apis.storage.directories import held_directory
from apis.storage.exceptions import DatabaseUnavailableError, DatabaseUrlError, StorageError
from apis.storage.postgres import open_postgres
from apis.storage.sqlite import DATABASE_NAME, open_sqlite
from apis.storage.urls import masked, scheme
from gateway import ApiContext

OPENERS = {"postgresql": open_postgres, "postgres": open_postgres}
"""What opens a database named by URL, by scheme."""


def _opened(context: ApiContext) -> AbstractAsyncContextManager[Database]:
    if context.database is None:
        return open_sqlite(context.data_dir)
    given = scheme(context.database)
    if given not in OPENERS:
        schemes = ", ".join(f"{name}://" for name in OPENERS)
        raise DatabaseUrlError(
            context.database,
            f"the scheme {given!r} is not one of {schemes}; give postgresql://USER:PASSWORD@HOST:PORT/DATABASE",
        )
    return OPENERS[given](context.database)


@asynccontextmanager
async def open_database(context: ApiContext, schema: str) -> AsyncIterator[Database]:
    """The database of `context` (SQLite under its data dir unless it names a URL), `schema` created; closed on exit.

    Raises `DatabaseUrlError` or `DatabaseUnavailableError`, whose message names the URL with its password masked.
    """
    async with _opened(context) as db:
        await db.create(schema)
        yield db


__all__ = [
    "DATABASE_NAME",
    "Database",
    "DatabaseKind",
    "DatabaseUnavailableError",
    "DatabaseUrlError",
    "Row",
    "Statements",
    "StorageError",
    "held_directory",
    "masked",
    "open_database",
]
