"""Where the example APIs keep their state: one `Database` interface, SQLite or PostgreSQL behind it.

SQLite under the data directory is the default; a `context.database` URL
(``gateway serve --database postgresql://...``) names a PostgreSQL database that replicas
on several machines share.
"""

from apis.storage.database import open_database
from apis.storage.directories import held_directory
from apis.storage.exceptions import DatabaseUnavailableError, DatabaseUrlError, StorageError
from apis.storage.interface import Database, DatabaseKind, Row, Statements
from apis.storage.sqlite import DATABASE_NAME

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
    "open_database",
]
