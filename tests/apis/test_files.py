"""The files API served by the legacy adapter: multipart upload, paging, content, deletion, the body limit."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.apis.steps import SMALL_BODY_LIMIT, Clock, serve_legacy, upload_file

pytestmark = pytest.mark.anyio


def stored_names(data_dir: Path) -> set[str]:
    return {path.name for path in (data_dir / "files").iterdir()}


async def upload_several(
    client: httpx.AsyncClient, clock: Clock, *, count: int = 5, seconds_apart: int = 0
) -> list[dict[str, Any]]:
    """Upload `count` files, `seconds_apart` from each other; returned in upload order."""
    uploaded = []
    for n in range(count):
        uploaded.append(await upload_file(client, f"content {n}".encode(), filename=f"f{n}.txt"))
        clock.advance(seconds_apart)
    return uploaded


def ids(files: list[dict[str, Any]]) -> list[str]:
    return [f["id"] for f in files]


SPACINGS = [pytest.param(1, id="one-second-apart"), pytest.param(0, id="same-second")]


async def test_files_upload_returns_the_openai_file_object(client: httpx.AsyncClient, tmp_path: Path) -> None:
    before = int(time.time())

    response = await client.post(
        "/v1/files", files={"file": ("requests.jsonl", b"{}\n{}\n")}, data={"purpose": "batch"}
    )

    assert response.status_code == 200
    uploaded = response.json()
    assert uploaded == {
        "id": uploaded["id"],
        "object": "file",
        "bytes": 6,
        "created_at": uploaded["created_at"],
        "expires_at": None,
        "filename": "requests.jsonl",
        "purpose": "batch",
    }
    assert uploaded["id"].startswith("file-")
    assert before <= uploaded["created_at"] <= int(time.time())
    assert stored_names(tmp_path) == {uploaded["id"]}


@pytest.mark.parametrize("purpose", ["assistants", "batch"])
async def test_files_upload_accepts_each_purpose(client: httpx.AsyncClient, purpose: str) -> None:
    uploaded = await upload_file(client, b"x", purpose=purpose)

    assert uploaded["purpose"] == purpose


@pytest.mark.parametrize(
    "purpose",
    [
        pytest.param("batch_output", id="server-only-purpose"),
        pytest.param("fine-tune", id="openai-purpose-not-served"),
        pytest.param("", id="empty"),
    ],
)
async def test_files_upload_with_other_purpose_is_a_validation_error(
    client: httpx.AsyncClient, tmp_path: Path, purpose: str
) -> None:
    response = await client.post("/v1/files", files={"file": ("a.txt", b"x")}, data={"purpose": purpose})

    assert response.status_code == 400
    assert response.json()["error"]["detail"]["errors"][0]["loc"] == ["body", "purpose"]
    assert stored_names(tmp_path) == set()


@pytest.mark.parametrize(
    ("request_kwargs", "missing"),
    [
        pytest.param({"data": {"purpose": "batch"}}, "file", id="no-file"),
        pytest.param({"files": {"file": ("a.txt", b"x")}}, "purpose", id="no-purpose"),
    ],
)
async def test_files_upload_without_a_field_is_a_validation_error(
    client: httpx.AsyncClient, request_kwargs: dict[str, Any], missing: str
) -> None:
    response = await client.post("/v1/files", **request_kwargs)

    assert response.status_code == 400
    assert {"loc": ["body", missing], "msg": "Field required", "type": "missing"} in response.json()["error"]["detail"][
        "errors"
    ]


async def test_files_list_is_empty_on_a_fresh_server(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/files")

    assert response.status_code == 200
    assert response.json() == {"object": "list", "data": [], "has_more": False, "first_id": None, "last_id": None}


async def test_files_list_defaults_to_newest_first(client: httpx.AsyncClient, clock: Clock) -> None:
    uploaded = await upload_several(client, clock, seconds_apart=1)

    response = await client.get("/v1/files")

    body = response.json()
    assert body["data"] == uploaded[::-1]
    assert (body["has_more"], body["first_id"], body["last_id"]) == (False, uploaded[-1]["id"], uploaded[0]["id"])


async def test_files_list_ascending_is_oldest_first(client: httpx.AsyncClient, clock: Clock) -> None:
    uploaded = await upload_several(client, clock, seconds_apart=1)

    response = await client.get("/v1/files", params={"order": "asc"})

    assert response.json()["data"] == uploaded


@pytest.mark.parametrize(
    ("order", "descending"), [pytest.param("asc", False, id="asc"), pytest.param("desc", True, id="desc")]
)
async def test_files_list_orders_files_of_the_same_second_by_id(
    client: httpx.AsyncClient, clock: Clock, order: str, descending: bool
) -> None:
    uploaded = await upload_several(client, clock, seconds_apart=0)

    response = await client.get("/v1/files", params={"order": order})

    assert ids(response.json()["data"]) == sorted(ids(uploaded), reverse=descending)


@pytest.mark.parametrize("seconds_apart", SPACINGS)
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_files_list_pages_with_after(
    client: httpx.AsyncClient, clock: Clock, order: str, seconds_apart: int
) -> None:
    uploaded = await upload_several(client, clock, seconds_apart=seconds_apart)
    expected = ids(sorted(uploaded, key=lambda f: (f["created_at"], f["id"]), reverse=order == "desc"))

    pages = [(await client.get("/v1/files", params={"order": order, "limit": 2})).json()]
    while pages[-1]["has_more"]:
        params = {"order": order, "limit": 2, "after": pages[-1]["last_id"]}
        pages.append((await client.get("/v1/files", params=params)).json())

    assert [ids(page["data"]) for page in pages] == [expected[0:2], expected[2:4], expected[4:]]
    assert [(page["first_id"], page["last_id"]) for page in pages] == [
        (expected[0], expected[1]),
        (expected[2], expected[3]),
        (expected[4], expected[4]),
    ]
    assert [page["has_more"] for page in pages] == [True, True, False]


async def test_files_list_after_the_last_file_is_an_empty_page(client: httpx.AsyncClient, clock: Clock) -> None:
    uploaded = await upload_several(client, clock, seconds_apart=1)

    response = await client.get("/v1/files", params={"after": uploaded[0]["id"]})

    assert response.json() == {"object": "list", "data": [], "has_more": False, "first_id": None, "last_id": None}


async def test_files_list_after_unknown_file_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/files", params={"after": "file-missing"})

    assert response.status_code == 404
    assert response.json() == {"detail": "File 'file-missing' not found"}


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        pytest.param({"limit": 0}, ["query", "limit"], id="limit-0"),
        pytest.param({"limit": 10001}, ["query", "limit"], id="limit-10001"),
        pytest.param({"limit": "many"}, ["query", "limit"], id="limit-not-a-number"),
        pytest.param({"order": "sideways"}, ["query", "order"], id="order-sideways"),
        pytest.param({"purpose": "batch_output"}, ["query", "purpose"], id="purpose-not-listable"),
    ],
)
async def test_files_list_with_invalid_query_is_a_validation_error(
    client: httpx.AsyncClient, params: dict[str, Any], loc: list[str]
) -> None:
    response = await client.get("/v1/files", params=params)

    assert response.status_code == 400
    assert [error["loc"] for error in response.json()["error"]["detail"]["errors"]] == [loc]


@pytest.mark.parametrize("limit", [1, 10000])
async def test_files_list_accepts_limit_bounds(client: httpx.AsyncClient, clock: Clock, limit: int) -> None:
    await upload_several(client, clock, count=3)

    response = await client.get("/v1/files", params={"limit": limit})

    assert response.status_code == 200
    assert len(response.json()["data"]) == min(limit, 3)
    assert response.json()["has_more"] is (limit < 3)


@pytest.mark.parametrize("purpose", ["assistants", "batch"])
async def test_files_list_filters_by_purpose(client: httpx.AsyncClient, purpose: str) -> None:
    by_purpose = {p: await upload_file(client, p.encode(), purpose=p) for p in ["assistants", "batch"]}

    response = await client.get("/v1/files", params={"purpose": purpose})

    assert response.json()["data"] == [by_purpose[purpose]]


async def test_files_retrieve_returns_the_uploaded_file(client: httpx.AsyncClient) -> None:
    uploaded = await upload_file(client, b"hello", purpose="assistants", filename="notes.txt")

    response = await client.get(f"/v1/files/{uploaded['id']}")

    assert response.status_code == 200
    assert response.json() == uploaded


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b'{"a": 1}\n{"b": 2}\n', id="jsonl"),
        pytest.param(bytes(range(256)) * 64, id="binary"),
        pytest.param("h\u00e9llo \u2603\r\n".encode(), id="utf8-crlf"),
    ],
)
async def test_files_content_returns_the_exact_bytes(client: httpx.AsyncClient, content: bytes) -> None:
    uploaded = await upload_file(client, content)

    response = await client.get(f"/v1/files/{uploaded['id']}/content")

    assert response.status_code == 200
    assert response.content == content
    assert uploaded["bytes"] == len(content)
    assert response.headers["content-type"] == "application/octet-stream"


async def test_files_delete_confirms_and_removes_the_content(client: httpx.AsyncClient, tmp_path: Path) -> None:
    kept = await upload_file(client, b"kept")
    deleted = await upload_file(client, b"deleted")

    response = await client.delete(f"/v1/files/{deleted['id']}")

    assert response.status_code == 200
    assert response.json() == {"id": deleted["id"], "object": "file", "deleted": True}
    assert stored_names(tmp_path) == {kept["id"]}
    assert (await client.get(f"/v1/files/{deleted['id']}")).status_code == 404
    assert (await client.get("/v1/files")).json()["data"] == [kept]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/v1/files/file-missing", id="retrieve"),
        pytest.param("GET", "/v1/files/file-missing/content", id="content"),
        pytest.param("DELETE", "/v1/files/file-missing", id="delete"),
    ],
)
async def test_files_unknown_id_is_not_found(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path)

    assert response.status_code == 404
    assert response.json() == {"detail": "File 'file-missing' not found"}


async def test_files_delete_twice_is_not_found(client: httpx.AsyncClient) -> None:
    uploaded = await upload_file(client, b"x")
    await client.delete(f"/v1/files/{uploaded['id']}")

    response = await client.delete(f"/v1/files/{uploaded['id']}")

    assert response.status_code == 404


def multipart_body(boundary: str, content: bytes) -> bytes:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    return head.encode() + content + f"\r\n--{boundary}--\r\n".encode()


async def post_without_length(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    """Upload in 256-byte chunks with no Content-Length, so only counting the bytes can stop it."""
    body = multipart_body("test-boundary", content)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 256):
            yield body[start : start + 256]

    headers = {"content-type": "multipart/form-data; boundary=test-boundary"}
    return await client.post("/v1/files", content=chunks(), headers=headers)


Upload = Callable[[httpx.AsyncClient, bytes], Awaitable[httpx.Response]]


async def post_with_length(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    return await client.post("/v1/files", files={"file": ("big.bin", content)}, data={"purpose": "batch"})


@pytest.mark.parametrize(
    "post", [pytest.param(post_with_length, id="content-length"), pytest.param(post_without_length, id="chunked")]
)
async def test_files_upload_over_the_body_limit_is_rejected_and_stores_nothing(
    small_body_client: httpx.AsyncClient, tmp_path: Path, post: Upload
) -> None:
    small = await upload_file(small_body_client, b"fits")
    listed_before = (await small_body_client.get("/v1/files")).json()

    response = await post(small_body_client, b"x" * (4 * SMALL_BODY_LIMIT))

    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}
    # Hidden names included: no `.upload-*` temporary file is left behind either.
    assert stored_names(tmp_path) == {small["id"]}
    assert (await small_body_client.get("/v1/files")).json() == listed_before


@pytest.mark.parametrize(
    "post", [pytest.param(post_with_length, id="content-length"), pytest.param(post_without_length, id="chunked")]
)
async def test_files_upload_under_the_body_limit_is_stored(
    small_body_client: httpx.AsyncClient, tmp_path: Path, post: Upload
) -> None:
    response = await post(small_body_client, b"y" * (SMALL_BODY_LIMIT // 2))

    assert response.status_code == 200
    assert response.json()["bytes"] == SMALL_BODY_LIMIT // 2
    assert stored_names(tmp_path) == {response.json()["id"]}


async def test_files_start_removes_uploads_a_crash_left_half_written(tmp_path: Path) -> None:
    async with serve_legacy(tmp_path) as client:
        kept = await upload_file(client, b"stored before the crash")
    (tmp_path / "files" / ".upload-k9x2m1").write_bytes(b"half of a batch output")

    async with serve_legacy(tmp_path) as client:
        assert stored_names(tmp_path) == {kept["id"]}
        content = await client.get(f"/v1/files/{kept['id']}/content")
        assert content.content == b"stored before the crash"
