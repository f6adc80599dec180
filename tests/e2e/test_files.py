"""The files API through the official `openai` client, against a real server."""

from __future__ import annotations

import time

import openai
import pytest
from openai.types import FileObject

CONTENT = b'{"custom_id": "r1"}\n{"custom_id": "r2"}\n'


def upload(client: openai.OpenAI, content: bytes = CONTENT, filename: str = "input.jsonl") -> FileObject:
    return client.files.create(file=(filename, content, "application/jsonl"), purpose="batch")


def wait_for_next_second(after: int) -> None:
    # Creation times have one-second resolution; crossing a second makes "newer" unambiguous.
    while int(time.time()) <= after:
        time.sleep(0.02)


def test_files_create_describes_the_upload(client: openai.OpenAI) -> None:
    uploaded = upload(client, filename="requests.jsonl")

    assert uploaded.id.startswith("file-")
    assert uploaded.bytes == len(CONTENT)
    assert uploaded.filename == "requests.jsonl"
    assert uploaded.purpose == "batch"


def test_files_retrieve_returns_the_upload(client: openai.OpenAI) -> None:
    uploaded = upload(client)

    assert client.files.retrieve(uploaded.id) == uploaded


def test_files_content_returns_the_uploaded_bytes(client: openai.OpenAI) -> None:
    content = bytes(range(256)) + b"\r\n\x00 not text at all"
    uploaded = upload(client, content=content, filename="binary.jsonl")

    assert client.files.content(uploaded.id).read() == content


def test_files_list_contains_uploads_newest_first(client: openai.OpenAI) -> None:
    older = upload(client)
    wait_for_next_second(older.created_at)
    newer = upload(client)

    files = list(client.files.list())

    ids = [file.id for file in files]
    assert ids.index(newer.id) < ids.index(older.id)
    keys = [(file.created_at, file.id) for file in files]
    assert keys == sorted(keys, reverse=True)


def test_files_delete_then_retrieve_raises_not_found(client: openai.OpenAI) -> None:
    uploaded = upload(client)

    deleted = client.files.delete(uploaded.id)

    assert deleted.id == uploaded.id
    assert deleted.deleted is True
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(uploaded.id)
    with pytest.raises(openai.NotFoundError):
        client.files.content(uploaded.id)
    assert uploaded.id not in [file.id for file in client.files.list()]


def test_files_create_with_invalid_purpose_raises_bad_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("input.jsonl", CONTENT, "application/jsonl"), purpose="fine-tune")

    assert raised.value.status_code == 400
