"""Where the bytes of stored files live: on disk beside SQLite, or in PostgreSQL with their rows.

Either way a file's content and its row are written together or not at all: an upload that
fails (a dropped connection, a full disk) leaves nothing a listing or another replica could find.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from pathlib import Path
from typing import Protocol

import anyio

from apis.storage import Database, DatabaseKind, Statements, held_directory
from gateway import ApiContext

Describe = Callable[[Statements, int], Awaitable[object]]
"""Writes a file's row, given where to and the content's size, in the same unit as the content."""

# Uploads are written under this name first, then renamed to the file's id.
TEMPORARY_PREFIX = ".upload-"

CHUNKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS file_chunks (
    file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    seq INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (file_id, seq)
);
"""


class FileContents(Protocol):
    async def store(self, file_id: str, chunks: AsyncIterator[bytes], describe: Describe) -> int:
        """Store the content and describe it with `describe`, or leave neither behind; the content's size."""
        ...

    async def read(self, file_id: str) -> bytes: ...

    async def remove(self, file_id: str) -> None:
        """Remove the content of a file whose row is gone."""
        ...


class DirectoryContents:
    """Each file in `<data_dir>/files/<id>`, its row in SQLite."""

    def __init__(self, db: Database, directory: Path) -> None:
        self.db = db
        self.directory = directory

    async def store(self, file_id: str, chunks: AsyncIterator[bytes], describe: Describe) -> int:
        destination = self.directory / file_id
        # Write beside the destination and rename, so a failed upload leaves no partial file.
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=TEMPORARY_PREFIX)
        os.close(handle)
        size = 0
        try:
            async with await anyio.open_file(temporary, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    await out.write(chunk)
            os.replace(temporary, destination)
            await describe(self.db, size)
        except BaseException:
            # A content file whose row was never written is not a file any listing shows: remove it too.
            for path in (temporary, destination):
                with suppress(FileNotFoundError):
                    os.unlink(path)
            raise
        return size

    async def read(self, file_id: str) -> bytes:
        return await anyio.Path(self.directory / file_id).read_bytes()

    async def remove(self, file_id: str) -> None:
        with suppress(FileNotFoundError):
            (self.directory / file_id).unlink()


class TableContents:
    """Each file's content as rows of `file_chunks`, one per uploaded chunk, written in its row's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def store(self, file_id: str, chunks: AsyncIterator[bytes], describe: Describe) -> int:
        size = seq = 0
        async with self.db.transaction() as transaction:
            # The chunks come before their file's row: the foreign key is checked at commit.
            async for chunk in chunks:
                await transaction.execute(
                    "INSERT INTO file_chunks (file_id, seq, data) VALUES (?, ?, ?)", (file_id, seq, chunk)
                )
                size += len(chunk)
                seq += 1
            await describe(transaction, size)
        return size

    async def read(self, file_id: str) -> bytes:
        rows = await self.db.fetch_all("SELECT data FROM file_chunks WHERE file_id = ? ORDER BY seq", (file_id,))
        return b"".join(row["data"] for row in rows)

    async def remove(self, file_id: str) -> None:
        # Deleting the row deleted the chunks (ON DELETE CASCADE), in the same statement.
        pass


@asynccontextmanager
async def directory_contents(context: ApiContext, db: Database) -> AsyncIterator[FileContents]:
    directory = context.data_dir / "files"
    directory.mkdir(parents=True, exist_ok=True)
    async with held_directory(directory, TEMPORARY_PREFIX):
        yield DirectoryContents(db, directory)


@asynccontextmanager
async def table_contents(context: ApiContext, db: Database) -> AsyncIterator[FileContents]:
    await db.create(CHUNKS_SCHEMA)
    yield TableContents(db)


CONTENTS: dict[DatabaseKind, Callable[[ApiContext, Database], AbstractAsyncContextManager[FileContents]]] = {
    "sqlite": directory_contents,
    "postgresql": table_contents,
}
"""Where file contents go, by the kind of database the rows are in."""
