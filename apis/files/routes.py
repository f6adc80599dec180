"""The files API as a FastAPI router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Form, Path, Query, UploadFile
from starlette.responses import Response

from apis.files.models import FileDeleted, FileObject, ListFilesResponse, Order, UploadPurpose
from apis.files.service import FilesService
from http_conventions import ConventionRouter, implementation, standard_responses

Service = Annotated[FilesService, Depends(implementation)]
FileId = Annotated[str, Path(description="The file identifier.")]


def create_router() -> ConventionRouter:
    router = ConventionRouter(tags=["files"], responses=standard_responses)

    @router.post("/v1/files", summary="Upload a file (multipart/form-data).")
    async def upload_file(
        file: Annotated[UploadFile, File(description="The content to store.")],
        purpose: Annotated[UploadPurpose, Form(description="What the file is for: `assistants` or `batch`.")],
        service: Service,
    ) -> FileObject:
        return await service.upload_file(file, purpose)

    @router.get("/v1/files", summary="List files.")
    async def list_files(
        service: Service,
        after: Annotated[str | None, Query(description="List the files that follow this file id.")] = None,
        limit: Annotated[int, Query(ge=1, le=10000, description="How many files to return, 1 to 10000.")] = 10000,
        order: Annotated[Order, Query(description="`asc` or `desc` by creation time.")] = "desc",
        purpose: Annotated[UploadPurpose | None, Query(description="Only files with this purpose.")] = None,
    ) -> ListFilesResponse:
        return await service.list_files(after, limit, order, purpose)

    @router.get("/v1/files/{file_id}", summary="Retrieve a file's description.")
    async def retrieve_file(file_id: FileId, service: Service) -> FileObject:
        return await service.retrieve_file(file_id)

    @router.delete("/v1/files/{file_id}", summary="Delete a file and its content.")
    async def delete_file(file_id: FileId, service: Service) -> FileDeleted:
        return await service.delete_file(file_id)

    @router.get(
        "/v1/files/{file_id}/content",
        summary="Download a file's content.",
        response_class=Response,
        responses={200: {"content": {"application/octet-stream": {}}, "description": "The raw content."}},
    )
    async def retrieve_file_content(file_id: FileId, service: Service) -> Response:
        return await service.retrieve_file_content(file_id)

    return router
