"""Uploaded files as data: name, media type, size and content, taken while the upload is still open.

Starlette closes an upload's file once the response is sent, before a recording's line is
written, so `UploadSnapshot.of` keeps a hold on the content when the call is made, without
reading a file on the event loop: the bytes of an upload still in memory (at most
Starlette's 1 MB spool), or a duplicate descriptor of one spooled to disk, read when the
line is written. `upload_data` and `rebuilt_upload` are the recording format's two directions.
"""

from __future__ import annotations

import base64
import io
import os
import weakref
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers, UploadFile

UPLOAD_FIELDS = frozenset({"filename", "content_type", "size"})
"""The keys of an upload written down, with `content_b64` when its content could be had, and nothing else."""


class UploadSnapshot:
    """An upload's name, media type and size, and its content as it was when the call was made."""

    def __init__(self, filename: str | None, content_type: str | None, size: int | None) -> None:
        self.filename, self.content_type, self.size = filename, content_type, size
        self._content: bytes | None = None
        self._descriptor: int | None = None

    @classmethod
    def of(cls, upload: UploadFile) -> UploadSnapshot:
        snapshot = cls(upload.filename, upload.content_type, upload.size)
        # SpooledTemporaryFile holds a BytesIO until it rolls over to a real file (Starlette reads its
        # private fields the same way to tell the two apart).
        held = getattr(upload.file, "_file", upload.file)
        if isinstance(held, io.BytesIO):
            snapshot._content = held.getvalue()
        else:
            try:
                descriptor = os.dup(held.fileno())
            except (OSError, AttributeError, ValueError):
                return snapshot
            snapshot._descriptor = descriptor
            weakref.finalize(snapshot, os.close, descriptor)
        return snapshot

    @classmethod
    def holding(
        cls, filename: str | None, content_type: str | None, size: int | None, content: bytes | None
    ) -> UploadSnapshot:
        """A snapshot whose content was read already (in another process, say)."""
        snapshot = cls(filename, content_type, size)
        snapshot._content = content
        return snapshot

    @property
    def content(self) -> bytes | None:
        """The content; None when the file could not be held (a closed or unusual file object)."""
        if self._content is None and self._descriptor is not None:
            size = os.fstat(self._descriptor).st_size
            self._content = os.pread(self._descriptor, size, 0)
        return self._content


def upload_data(upload: UploadFile | UploadSnapshot) -> dict[str, Any]:
    """An upload as data; its content in base64 when it could be had."""
    snapshot = snapshot_of(upload)
    data: dict[str, Any] = {
        "filename": snapshot.filename,
        "content_type": snapshot.content_type,
        "size": snapshot.size,
    }
    content = snapshot.content
    if content is not None:
        data["content_b64"] = base64.b64encode(content).decode("ascii")
    return data


def snapshot_of(upload: UploadFile | UploadSnapshot) -> UploadSnapshot:
    """`upload` as a snapshot: its content held while its file is still open."""
    if isinstance(upload, UploadSnapshot):
        return upload
    if getattr(upload.file, "closed", False):
        return UploadSnapshot(upload.filename, upload.content_type, upload.size)
    return UploadSnapshot.of(upload)


def is_upload_data(value: Any) -> bool:
    """Whether `value` is what `upload_data` writes."""
    return isinstance(value, Mapping) and value.keys() - {"content_b64"} == UPLOAD_FIELDS


def rebuilt_upload(data: Mapping[str, Any]) -> UploadFile | None:
    """The upload `upload_data` wrote down, its content in memory; None when its content was not written."""
    if "content_b64" not in data:
        return None
    content = base64.b64decode(data["content_b64"])
    headers = Headers({"content-type": data["content_type"]}) if data.get("content_type") else None
    return UploadFile(
        io.BytesIO(content), size=data.get("size", len(content)), filename=data["filename"], headers=headers
    )
