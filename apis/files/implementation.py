"""Files stored under the data directory, described in SQLite."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Annotated

import aiosqlite
import anyio
from fastapi import File, Form, Query, UploadFile
from starlette.responses import Response

from apis.files.models import FileDeleted, FileObject, FilePurpose, ListFilesResponse, Order, UploadPurpose
from apis.storage import fetch_all, fetch_one, held_directory, open_database
from gateway import ApiContext
from gateway.registry import Clock
from http_conventions import ResourceNotFoundError

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS files_by_creation ON files (created_at, id);
"""
CHUNK_SIZE = 1024 * 1024
# Uploads are written under this name first, then renamed to the file's id.
TEMPORARY_PREFIX = ".upload-"


def _from_row(row: aiosqlite.Row) -> FileObject:
    return FileObject(
        id=row["id"], bytes=row["bytes"], created_at=row["created_at"], filename=row["filename"], purpose=row["purpose"]
    )


class FilesImplementation:
    """The files API: content in `<data_dir>/files/<id>`, descriptions in SQLite."""

    def __init__(self, db: aiosqlite.Connection, directory: Path, *, clock: Clock = time.time) -> None:
        self.db = db
        self.directory = directory
        self.clock = clock

    async def _store(self, chunks: AsyncIterator[bytes], filename: str, purpose: FilePurpose) -> FileObject:
        """Write the content and describe it, or leave nothing behind.

        A full disk (while writing the content or the row) raises the `OSError` the error
        table answers 507.
        """
        file_id = f"file-{uuid.uuid4().hex}"
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
            created_at = int(self.clock())
            await self.db.execute(
                "INSERT INTO files (id, filename, purpose, bytes, created_at) VALUES (?, ?, ?, ?, ?)",
                (file_id, filename, purpose, size, created_at),
            )
            await self.db.commit()
        except BaseException:
            # A content file whose row was never written is not a file any listing shows: remove it too.
            for path in (temporary, destination):
                with suppress(FileNotFoundError):
                    os.unlink(path)
            raise
        return FileObject(id=file_id, bytes=size, created_at=created_at, filename=filename, purpose=purpose)

    async def upload_file(
        self, file: Annotated[UploadFile, File()], purpose: Annotated[UploadPurpose, Form()]
    ) -> FileObject:
        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await file.read(CHUNK_SIZE):
                yield chunk

        return await self._store(chunks(), file.filename or "upload", purpose)

    async def create_file(self, content: bytes, filename: str, purpose: FilePurpose) -> FileObject:
        """Store content produced on the server (a batch's output, say)."""

        async def chunks() -> AsyncIterator[bytes]:
            yield content

        return await self._store(chunks(), filename, purpose)

    async def list_files(
        self,
        after: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 10000,
        order: Order = "desc",
        purpose: UploadPurpose | None = None,
    ) -> ListFilesResponse:
        clauses: list[str] = []
        args: list[str | int] = []
        if purpose is not None:
            clauses.append("purpose = ?")
            args.append(purpose)
        if after is not None:
            cursor_file = await self.retrieve_file(after)
            comparison = ">" if order == "asc" else "<"
            clauses.append(f"(created_at, id) {comparison} (?, ?)")
            args.extend([cursor_file.created_at, cursor_file.id])
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        direction = "ASC" if order == "asc" else "DESC"
        rows = await fetch_all(
            self.db,
            f"SELECT * FROM files {where} ORDER BY created_at {direction}, id {direction} LIMIT ?",
            (*args, limit + 1),
        )
        files = [_from_row(row) for row in rows[:limit]]
        return ListFilesResponse(
            data=files,
            has_more=len(rows) > limit,
            first_id=files[0].id if files else None,
            last_id=files[-1].id if files else None,
        )

    async def retrieve_file(self, file_id: str) -> FileObject:
        row = await fetch_one(self.db, "SELECT * FROM files WHERE id = ?", (file_id,))
        if row is None:
            raise ResourceNotFoundError("File", file_id)
        return _from_row(row)

    async def delete_file(self, file_id: str) -> FileDeleted:
        await self.retrieve_file(file_id)
        await self.db.execute("DELETE FROM files WHERE id = ?", (file_id,))
        await self.db.commit()
        with suppress(FileNotFoundError):
            (self.directory / file_id).unlink()
        return FileDeleted(id=file_id, deleted=True)

    async def read_content(self, file_id: str) -> bytes:
        """The stored bytes of a file."""
        await self.retrieve_file(file_id)
        return await anyio.Path(self.directory / file_id).read_bytes()

    async def retrieve_file_content(self, file_id: str) -> Response:
        return Response(content=await self.read_content(file_id), media_type="application/octet-stream")


@asynccontextmanager
async def open_files(context: ApiContext) -> AsyncIterator[FilesImplementation]:
    directory = context.data_dir / "files"
    directory.mkdir(parents=True, exist_ok=True)
    async with held_directory(directory, TEMPORARY_PREFIX), open_database(context.data_dir, SCHEMA) as db:
        yield FilesImplementation(db, directory, clock=context.clock)
