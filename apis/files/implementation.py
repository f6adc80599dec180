"""Files described in the database, their contents on disk (SQLite) or in the database (PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import File, Form, Query, UploadFile
from starlette.responses import Response

from apis.files.contents import CONTENTS, FileContents
from apis.files.models import FileDeleted, FileObject, FilePurpose, ListFilesResponse, Order, UploadPurpose
from apis.storage import Database, Row, Statements, open_database
from gateway import ApiContext
from gateway.registry import Clock
from http_conventions import ResourceNotFoundError

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_by_creation ON files (created_at, id);
"""
CHUNK_SIZE = 1024 * 1024


def _from_row(row: Row) -> FileObject:
    return FileObject(
        id=row["id"], bytes=row["bytes"], created_at=row["created_at"], filename=row["filename"], purpose=row["purpose"]
    )


class FilesImplementation:
    """The files API: descriptions in the database, contents where `contents` keeps them."""

    def __init__(self, db: Database, contents: FileContents, *, clock: Clock = time.time) -> None:
        self.db = db
        self.contents = contents
        self.clock = clock

    async def _store(self, chunks: AsyncIterator[bytes], filename: str, purpose: FilePurpose) -> FileObject:
        """Write the content and describe it, or leave nothing behind.

        A full disk (while writing the content or the row) raises the `OSError` the error
        table answers 507.
        """
        file_id = f"file-{uuid.uuid4().hex}"
        created_at = int(self.clock())

        async def describe(statements: Statements, size: int) -> None:
            await statements.execute(
                "INSERT INTO files (id, filename, purpose, bytes, created_at) VALUES (?, ?, ?, ?, ?)",
                (file_id, filename, purpose, size, created_at),
            )

        size = await self.contents.store(file_id, chunks, describe)
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
        rows = await self.db.fetch_all(
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
        row = await self.db.fetch_one("SELECT * FROM files WHERE id = ?", (file_id,))
        if row is None:
            raise ResourceNotFoundError("File", file_id)
        return _from_row(row)

    async def delete_file(self, file_id: str) -> FileDeleted:
        await self.retrieve_file(file_id)
        await self.db.execute("DELETE FROM files WHERE id = ?", (file_id,))
        await self.contents.remove(file_id)
        return FileDeleted(id=file_id, deleted=True)

    async def read_content(self, file_id: str) -> bytes:
        """The stored bytes of a file."""
        await self.retrieve_file(file_id)
        return await self.contents.read(file_id)

    async def retrieve_file_content(self, file_id: str) -> Response:
        return Response(content=await self.read_content(file_id), media_type="application/octet-stream")


@asynccontextmanager
async def open_files(context: ApiContext) -> AsyncIterator[FilesImplementation]:
    async with open_database(context, SCHEMA) as db, CONTENTS[db.kind](context, db) as contents:
        yield FilesImplementation(db, contents, clock=context.clock)
