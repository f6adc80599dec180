"""What the files API does, independent of how it is served."""

from __future__ import annotations

from typing import Protocol

from fastapi import UploadFile
from starlette.responses import Response

from apis.files.models import FileDeleted, FileObject, ListFilesResponse, Order, UploadPurpose


class FilesService(Protocol):
    async def upload_file(self, file: UploadFile, purpose: UploadPurpose) -> FileObject: ...

    async def list_files(
        self, after: str | None = None, limit: int = 10000, order: Order = "desc", purpose: UploadPurpose | None = None
    ) -> ListFilesResponse: ...

    async def retrieve_file(self, file_id: str) -> FileObject: ...

    async def delete_file(self, file_id: str) -> FileDeleted: ...

    async def retrieve_file_content(self, file_id: str) -> Response: ...
