"""File contents on each storage: on disk beside SQLite, in the database with PostgreSQL; the same to a client."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import UploadFile

from apis.files.implementation import FilesImplementation, open_files
from apis.storage import open_database
from gateway import ApiContext
from http_conventions import ResourceNotFoundError
from tests.apis.steps import file_content, serve_legacy, upload_file
from tests.postgres_server import PostgresServer

pytestmark = pytest.mark.anyio

# Every byte value, over several of the 1 MiB chunks an upload is read (and stored) in.
CONTENT = bytes(range(256)) * (10 * 1024 + 3)


async def stored_contents(context: ApiContext) -> list[str]:
    """What the storage holds of any file's content: the files on disk, or the files with chunks in the database."""
    if context.database is None:
        return sorted(path.name for path in (context.data_dir / "files").iterdir())
    async with open_database(context, "") as db:
        return [row["file_id"] for row in await db.fetch_all("SELECT DISTINCT file_id FROM file_chunks ORDER BY 1")]


class BrokenUpload(io.RawIOBase):
    """A client that sends one chunk of its upload and then drops the connection."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.sent:
            raise ConnectionResetError("client went away")
        self.sent = True
        buffer[:4] = b"half"
        return 4


@pytest.fixture
async def files(storage_context: ApiContext) -> AsyncIterator[FilesImplementation]:
    async with open_files(storage_context) as files:
        yield files


async def test_content_comes_back_byte_for_byte(storage_context: ApiContext, tmp_path: Path) -> None:
    async with serve_legacy(tmp_path, database=storage_context.database) as client:
        uploaded = await upload_file(client, CONTENT, filename="all-bytes.bin")

        assert uploaded["bytes"] == len(CONTENT)
        assert await file_content(client, uploaded["id"]) == CONTENT
        assert await stored_contents(storage_context) == [uploaded["id"]]


async def test_an_upload_that_breaks_off_leaves_nothing(
    storage_context: ApiContext, files: FilesImplementation
) -> None:
    with pytest.raises(ConnectionResetError):
        await files.upload_file(UploadFile(io.BufferedReader(BrokenUpload()), filename="a.jsonl"), "batch")

    assert (await files.list_files()).data == []
    assert await stored_contents(storage_context) == []


async def test_a_deleted_files_content_is_gone(storage_context: ApiContext, files: FilesImplementation) -> None:
    kept = await files.create_file(b"kept", "kept.txt", "assistants")
    deleted = await files.create_file(b"deleted", "deleted.txt", "assistants")

    await files.delete_file(deleted.id)

    with pytest.raises(ResourceNotFoundError):
        await files.read_content(deleted.id)
    assert await files.read_content(kept.id) == b"kept"
    assert await stored_contents(storage_context) == [kept.id]


async def test_replicas_on_one_postgresql_serve_each_others_files(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    # Each its own data dir, as on two machines: all they share is the database.
    database = postgres_server.create_database()
    async with (
        serve_legacy(tmp_path / "one", database=database) as one,
        serve_legacy(tmp_path / "other", database=database) as other,
    ):
        uploaded = await upload_file(one, b"written by one")

        assert await file_content(other, uploaded["id"]) == b"written by one"
        assert (await other.delete(f"/v1/files/{uploaded['id']}")).status_code == 200
        assert (await one.get(f"/v1/files/{uploaded['id']}")).status_code == 404
