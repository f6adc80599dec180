"""Opening the database an API's context names: SQLite under the data dir unless it gives a URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from apis.storage.exceptions import DatabaseUrlError
from apis.storage.interface import Database
from apis.storage.postgres import open_postgres
from apis.storage.sqlite import open_sqlite
from apis.storage.urls import scheme
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
