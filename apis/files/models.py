"""Request and response models of the files API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

UploadPurpose = Literal["assistants", "batch"]
FilePurpose = Literal["assistants", "batch", "batch_output"]
Order = Literal["asc", "desc"]


class FileObject(BaseModel):
    """An uploaded file, or a file a batch wrote."""

    id: str = Field(description="The file identifier, `file-` followed by hex digits.")
    object: Literal["file"] = Field(default="file", description="Always `file`.")
    bytes: int = Field(description="Size of the content in bytes.")
    created_at: int = Field(description="Unix time (seconds) of the upload.")
    expires_at: int | None = Field(default=None, description="Unix time when the file expires; null for never.")
    filename: str = Field(description="The name the file was uploaded with.")
    purpose: FilePurpose = Field(description="What the file is for.")


class ListFilesResponse(BaseModel):
    """A page of files."""

    object: Literal["list"] = Field(default="list", description="Always `list`.")
    data: list[FileObject] = Field(description="The files on this page.")
    has_more: bool = Field(description="Whether files follow the last one of this page.")
    first_id: str | None = Field(description="Id of the first file on this page.")
    last_id: str | None = Field(description="Id of the last file on this page; pass it as `after` for the next page.")


class FileDeleted(BaseModel):
    """Confirmation that a file is gone."""

    id: str = Field(description="The deleted file's identifier.")
    object: Literal["file"] = Field(default="file", description="Always `file`.")
    deleted: bool = Field(description="Always true.")
