"""What one request may ask for: the limits of `apis/limits.py`, as clients meet them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from apis.limits import MAX_MESSAGE_BYTES, MAX_METADATA_BYTES, MAX_TOKENS, exceeds_json_size
from tests.apis.steps import chat_body

pytestmark = pytest.mark.anyio


def _compact_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"a": [1, 2.5, None, True], "b": {"c": "é"}}, id="nested"),
        pytest.param({}, id="empty-object"),
        pytest.param([], id="empty-list"),
        pytest.param("plain", id="string"),
    ],
)
def test_json_size_is_the_compact_json_size(value: Any) -> None:
    size = _compact_size(value)
    assert not exceeds_json_size(value, size)
    assert exceeds_json_size(value, size - 1)


def test_json_size_of_a_huge_string_is_known_without_encoding_it() -> None:
    assert exceeds_json_size({"k": "x" * 10_000_000}, 64)


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text
    errors: list[dict[str, Any]] = response.json()["error"]["detail"]["errors"]
    return errors


async def test_max_tokens_up_to_4096_is_answered(shared_client: httpx.AsyncClient) -> None:
    response = await shared_client.post("/v1/chat/completions", json=chat_body("lorem", "x", max_tokens=MAX_TOKENS))
    assert response.status_code == 200
    assert response.json()["usage"]["completion_tokens"] == MAX_TOKENS


async def test_max_tokens_over_4096_is_a_validation_error(shared_client: httpx.AsyncClient) -> None:
    response = await shared_client.post("/v1/chat/completions", json=chat_body("lorem", "x", max_tokens=10_000_000))
    assert _errors(response) == [
        {"loc": ["body", "max_tokens"], "msg": "Input should be less than or equal to 4096", "type": "less_than_equal"}
    ]


def _message_of(size: int) -> dict[str, Any]:
    message = {"role": "user", "content": ""}
    message["content"] = "w" * (size - _compact_size(message))
    return message


async def test_a_message_of_1_mib_is_echoed(shared_client: httpx.AsyncClient) -> None:
    message = _message_of(MAX_MESSAGE_BYTES)
    response = await shared_client.post("/v1/chat/completions", json={"model": "echo", "messages": [message]})
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == message["content"]


@pytest.mark.parametrize("field", ["content", "extra_field"])
async def test_a_message_over_1_mib_is_a_validation_error(shared_client: httpx.AsyncClient, field: str) -> None:
    message = {"role": "user", "content": "hi", field: "w" * MAX_MESSAGE_BYTES}
    body = {"model": "echo", "messages": [{"role": "user", "content": "fine"}, message]}
    (error,) = _errors(await shared_client.post("/v1/chat/completions", json=body))
    assert (error["loc"], error["type"]) == (["body", "messages", 1], "value_error")
    assert "at most 1048576 bytes (1 MiB)" in error["msg"]


async def test_usage_counts_the_words_of_many_large_messages(shared_client: httpx.AsyncClient) -> None:
    text = "word " * 100_000
    body = {"model": "echo", "messages": [{"role": "user", "content": text}] * 20}
    response = await shared_client.post("/v1/chat/completions", json=body)
    assert response.json()["usage"]["prompt_tokens"] == 2_000_000


@pytest.mark.parametrize(
    ("method", "path"),
    [pytest.param("POST", "/v1/models", id="register"), pytest.param("POST", "/v1/models/{id}", id="update")],
)
async def test_metadata_over_64_kib_is_a_validation_error(client: httpx.AsyncClient, method: str, path: str) -> None:
    assert (await client.post("/v1/models", json={"model_id": "m1"})).status_code == 200
    metadata = {"notes": "n" * MAX_METADATA_BYTES}
    body: dict[str, Any] = {"metadata": metadata} if "{id}" in path else {"model_id": "m2", "metadata": metadata}
    (error,) = _errors(await client.request(method, path.format(id="m1"), json=body))
    assert (error["loc"], error["type"]) == (["body", "metadata"], "value_error")
    assert "at most 65536 bytes (64 KiB)" in error["msg"]


async def test_metadata_of_64_kib_is_kept(client: httpx.AsyncClient) -> None:
    metadata = {"notes": ""}
    metadata["notes"] = "n" * (MAX_METADATA_BYTES - _compact_size(metadata))
    response = await client.post("/v1/models", json={"model_id": "m1", "metadata": metadata})
    assert response.status_code == 200, response.text
    assert (await client.get("/v1/models/m1")).json()["metadata"] == metadata
