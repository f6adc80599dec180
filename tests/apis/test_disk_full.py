"""A full disk: 507 for an upload, a failed batch for output that cannot be stored, and nothing half-written.

The disk fills by substitution: the file contents' `anyio.open_file` gives a file
whose writes fail with ENOSPC after a few bytes, as a real full disk does part-way.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx
import pytest

import apis.files.contents
from tests.apis.steps import batch_line, create_batch, jsonl, upload_file, wait_for_batch

pytestmark = pytest.mark.anyio


class _FillingFile:
    def __init__(self, handle: Any) -> None:
        self.handle = handle

    async def __aenter__(self) -> _FillingFile:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.handle.aclose()

    async def write(self, data: bytes) -> None:
        await self.handle.write(data[:10])
        await self.handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")


class FullDisk:
    """Files opened from the `fill_from`-th on (1-based) fill the disk."""

    def __init__(self, fill_from: int = 1) -> None:
        self.fill_from = fill_from
        self.opened = 0

    async def open_file(self, path: str, mode: Literal["wb"]) -> Any:
        self.opened += 1
        handle = await anyio.open_file(path, mode)
        return _FillingFile(handle) if self.opened >= self.fill_from else handle


class _AnyioWith:
    """`anyio` as the files implementation sees it, with the disk's `open_file`."""

    def __init__(self, disk: FullDisk) -> None:
        self.open_file = disk.open_file
        self.Path = anyio.Path


def _install(monkeypatch: pytest.MonkeyPatch, disk: FullDisk) -> None:
    monkeypatch.setattr(apis.files.contents, "anyio", _AnyioWith(disk))


def _stored(tmp_path: Path) -> list[str]:
    return sorted(path.name for path in (tmp_path / "files").iterdir())


async def test_upload_to_a_full_disk_answers_507_and_leaves_nothing(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(monkeypatch, FullDisk())
    response = await client.post("/v1/files", files={"file": ("a.jsonl", b"x" * 1000)}, data={"purpose": "batch"})
    assert response.status_code == 507
    assert response.json() == {"detail": "Insufficient storage: no space left on the server's disk"}
    assert _stored(tmp_path) == []
    assert (await client.get("/v1/files")).json()["data"] == []


async def test_a_batch_whose_output_cannot_be_stored_fails_and_keeps_no_output(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second request passes validation and fails when it runs, so it has an error-file line.
    failing = {**batch_line("bad", "echo", "hi"), "body": {"model": "echo", "messages": []}}
    content = jsonl([batch_line("ok", "echo", "hello"), failing])
    input_file = await upload_file(client, content)
    # The output file is written; the disk fills while the error file is.
    _install(monkeypatch, FullDisk(fill_from=2))
    response = await client.post(
        "/v1/batches",
        json={"input_file_id": input_file["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"},
    )
    batch = await wait_for_batch(client, response.json()["id"])
    assert batch["status"] == "failed"
    assert batch["errors"]["data"] == [
        {
            "code": "insufficient_storage",
            "message": "The batch output could not be stored: the disk is full.",
            "line": None,
            "param": None,
        }
    ]
    assert (batch["output_file_id"], batch["error_file_id"]) == (None, None)
    assert _stored(tmp_path) == [input_file["id"]]
    assert [f["id"] for f in (await client.get("/v1/files")).json()["data"]] == [input_file["id"]]


async def test_uploads_work_again_once_space_is_freed(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(monkeypatch, FullDisk())
    assert (await client.post("/v1/files", files={"file": ("a", b"x")}, data={"purpose": "batch"})).status_code == 507
    monkeypatch.undo()
    batch = await create_batch(client, jsonl([batch_line("ok", "echo", "hi")]))
    assert (await wait_for_batch(client, batch["id"]))["status"] == "completed"
