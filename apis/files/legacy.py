"""The files API as the old server declared it."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import File, Form, Query, UploadFile
from starlette.responses import Response

from apis.files.models import FileDeleted, FileObject, ListFilesResponse, Order, UploadPurpose
from legacy_adapter import webmethod


class FilesApi(Protocol):
    @webmethod(route="/files", method="POST")
    async def upload_file(
        self, file: Annotated[UploadFile, File()], purpose: Annotated[UploadPurpose, Form()]
    ) -> FileObject:
        """Upload a file (multipart/form-data).

        :param file: The content to store.
        :param purpose: What the file is for: `assistants` or `batch`.
        :returns: The stored file.
        """
        ...

    @webmethod(route="/files", method="GET")
    async def list_files(
        self,
        after: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 10000,
        order: Order = "desc",
        purpose: UploadPurpose | None = None,
    ) -> ListFilesResponse:
        """List files.

        :param after: List the files that follow this file id in the chosen order.
        :param limit: How many files to return, 1 to 10000.
        :param order: `asc` or `desc` by creation time.
        :param purpose: Only files with this purpose.
        :returns: A page of files.
        """
        ...

    @webmethod(route="/files/{file_id}", method="GET")
    async def retrieve_file(self, file_id: str) -> FileObject:
        """Retrieve a file's description.

        :param file_id: The file to describe.
        :returns: The file.
        """
        ...

    @webmethod(route="/files/{file_id}", method="DELETE")
    async def delete_file(self, file_id: str) -> FileDeleted:
        """Delete a file and its content.

        :param file_id: The file to delete.
        :returns: Confirmation of the deletion.
        """
        ...

    @webmethod(route="/files/{file_id}/content", method="GET")
    async def retrieve_file_content(self, file_id: str) -> Response:
        """Download a file's content.

        :param file_id: The file whose bytes to return.
        :returns: The raw content.
        """
        ...
