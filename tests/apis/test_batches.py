"""The batches API served by the legacy adapter: background runs, input validated as OpenAI does, cancel, paging."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.apis.steps import (
    Clock,
    batch_line,
    chat_body,
    create_batch,
    file_content,
    jsonl,
    read_jsonl,
    upload_file,
    wait_for_batch,
)

pytestmark = pytest.mark.anyio

THREE_ECHOES = [batch_line(f"request-{n}", "echo", f"say {n}") for n in range(3)]


def batch_request(input_file_id: str, **overrides: Any) -> dict[str, Any]:
    return {"input_file_id": input_file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h", **overrides}


def error(code: str, line: int | None, param: str | None, message: str) -> dict[str, Any]:
    """One entry of a failed batch's `errors.data`."""
    return {"code": code, "line": line, "param": param, "message": message}


def missing(line: int, param: str) -> dict[str, Any]:
    return error("missing_required_parameter", line, param, f"Missing required parameter: '{param}'.")


def without(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in item.items() if name != key}


async def test_batches_create_returns_a_validating_batch(client: httpx.AsyncClient) -> None:
    input_file = await upload_file(client, jsonl(THREE_ECHOES))

    response = await client.post("/v1/batches", json=batch_request(input_file["id"], metadata={"job": "nightly"}))

    assert response.status_code == 200
    batch = response.json()
    assert batch["id"].startswith("batch_")
    assert batch["object"] == "batch"
    assert batch["status"] == "validating"
    assert batch["endpoint"] == "/v1/chat/completions"
    assert batch["completion_window"] == "24h"
    assert batch["input_file_id"] == input_file["id"]
    assert batch["metadata"] == {"job": "nightly"}
    assert batch["expires_at"] == batch["created_at"] + 24 * 60 * 60
    assert batch["request_counts"] == {"total": 0, "completed": 0, "failed": 0}
    assert batch["output_file_id"] is None
    assert batch["error_file_id"] is None


async def test_batches_run_to_completed_with_every_request_counted(client: httpx.AsyncClient) -> None:
    created = await create_batch(client, jsonl(THREE_ECHOES))

    batch = await wait_for_batch(client, created["id"])

    assert batch["status"] == "completed"
    assert batch["request_counts"] == {"total": 3, "completed": 3, "failed": 0}
    assert batch["error_file_id"] is None
    assert batch["errors"] is None
    assert batch["created_at"] <= batch["in_progress_at"] <= batch["finalizing_at"] <= batch["completed_at"]


async def test_batches_output_file_answers_each_request_in_input_order(client: httpx.AsyncClient) -> None:
    created = await create_batch(client, jsonl(THREE_ECHOES))
    batch = await wait_for_batch(client, created["id"])

    output_file = (await client.get(f"/v1/files/{batch['output_file_id']}")).json()
    lines = read_jsonl(await file_content(client, batch["output_file_id"]))

    assert output_file["purpose"] == "batch_output"
    assert [line["custom_id"] for line in lines] == ["request-0", "request-1", "request-2"]
    for n, line in enumerate(lines):
        assert line["error"] is None
        assert line["response"]["status_code"] == 200
        completion = line["response"]["body"]
        assert completion["object"] == "chat.completion"
        assert completion["choices"][0]["message"]["content"] == f"say {n}"


async def test_batches_output_keeps_input_order_when_answers_take_different_times(client: httpx.AsyncClient) -> None:
    lines = [
        batch_line("slow", "slow-echo", "one two three"),
        batch_line("fast", "echo", "four"),
        batch_line("lorem", "lorem", "ignored"),
    ]
    created = await create_batch(client, jsonl(lines))
    batch = await wait_for_batch(client, created["id"])

    output = read_jsonl(await file_content(client, batch["output_file_id"]))

    assert [line["custom_id"] for line in output] == ["slow", "fast", "lorem"]


def request_line(custom_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param(
            chat_body("echo", "hi", max_tokens=0),
            {
                "message": "Invalid 'max_tokens': input should be greater than or equal to 1.",
                "type": "invalid_request_error",
                "param": "max_tokens",
                "code": "invalid_value",
            },
            id="value-out-of-range",
        ),
        pytest.param(
            {"model": "echo", "messages": [{"content": "who am I?"}]},
            {
                "message": "Missing required parameter: 'messages[0].role'.",
                "type": "invalid_request_error",
                "param": "messages[0].role",
                "code": "missing_required_parameter",
            },
            id="nested-field-missing",
        ),
        pytest.param(
            {"model": "echo", "messages": [], "temperature": "hot"},
            {
                "message": "Invalid 'messages': list should have at least 1 item after validation, not 0. "
                "Invalid 'temperature': input should be a valid number, unable to parse string as a number.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "invalid_value",
            },
            id="every-problem-told",
        ),
    ],
)
async def test_batches_request_that_fails_when_run_goes_to_the_error_file_with_a_readable_error(
    shared_client: httpx.AsyncClient, body: dict[str, Any], error: dict[str, Any]
) -> None:
    lines = [batch_line("good-1", "echo", "a"), request_line("bad", body), batch_line("good-2", "echo", "c")]
    created = await create_batch(shared_client, jsonl(lines))

    batch = await wait_for_batch(shared_client, created["id"])

    assert batch["status"] == "completed"
    assert batch["errors"] is None
    assert batch["request_counts"] == {"total": 3, "completed": 2, "failed": 1}
    output = read_jsonl(await file_content(shared_client, batch["output_file_id"]))
    assert [line["custom_id"] for line in output] == ["good-1", "good-2"]
    [failed] = read_jsonl(await file_content(shared_client, batch["error_file_id"]))
    assert failed["id"].startswith("batch_req_")
    assert failed["custom_id"] == "bad"
    assert failed["error"] is None
    assert failed["response"]["status_code"] == 400
    assert failed["response"]["request_id"]
    assert failed["response"]["body"] == {"error": error}


async def test_batches_request_for_a_model_deleted_after_validation_goes_to_the_error_file(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.post("/v1/models", json={"model_id": "team/echo"})).status_code == 200
    # 0.8 s of slow-echo first: the model is deleted while it runs, after validation found it.
    slow = batch_line("slow", "slow-echo", " ".join(["word"] * 40))
    created = await create_batch(client, jsonl([slow, batch_line("late", "team/echo", "hello")]))
    await wait_for_batch(client, created["id"], lambda batch: batch["status"] == "in_progress")
    assert (await client.delete("/v1/models/team/echo")).status_code == 204

    batch = await wait_for_batch(client, created["id"])

    assert batch["request_counts"] == {"total": 2, "completed": 1, "failed": 1}
    [failed] = read_jsonl(await file_content(client, batch["error_file_id"]))
    assert failed["response"]["status_code"] == 404
    assert failed["response"]["body"] == {
        "error": {
            "message": "Model 'team/echo' not found",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


async def test_batches_accept_a_registered_model(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/models", json={"model_id": "team/echo"})).status_code == 200
    created = await create_batch(client, jsonl([batch_line("r1", "team/echo", "hello")]))

    batch = await wait_for_batch(client, created["id"])

    assert batch["status"] == "completed"
    [line] = read_jsonl(await file_content(client, batch["output_file_id"]))
    assert line["response"]["body"]["choices"][0]["message"]["content"] == "hello"


@pytest.mark.parametrize(
    ("overrides", "loc", "msg"),
    [
        pytest.param(
            {"endpoint": "/v1/embeddings"},
            ["body", "endpoint"],
            "Invalid value: '/v1/embeddings'. Supported values are: '/v1/chat/completions'.",
            id="endpoint-embeddings",
        ),
        pytest.param(
            {"endpoint": "/v1/completions"},
            ["body", "endpoint"],
            "Invalid value: '/v1/completions'. Supported values are: '/v1/chat/completions'.",
            id="endpoint-completions",
        ),
        pytest.param(
            {"endpoint": 7},
            ["body", "endpoint"],
            "Invalid value: 7. Supported values are: '/v1/chat/completions'.",
            id="endpoint-not-a-string",
        ),
        pytest.param(
            {"completion_window": "48h"},
            ["body", "completion_window"],
            "Invalid value: '48h'. Supported values are: '24h'.",
            id="window-48h",
        ),
        pytest.param(
            {"completion_window": "1h"},
            ["body", "completion_window"],
            "Invalid value: '1h'. Supported values are: '24h'.",
            id="window-1h",
        ),
    ],
)
async def test_batches_create_with_unsupported_parameter_is_a_validation_error_naming_the_supported_values(
    client: httpx.AsyncClient, overrides: dict[str, Any], loc: list[str], msg: str
) -> None:
    input_file = await upload_file(client, jsonl(THREE_ECHOES))

    response = await client.post("/v1/batches", json=batch_request(input_file["id"], **overrides))

    assert response.status_code == 400
    assert response.json() == {"error": {"detail": {"errors": [{"loc": loc, "msg": msg, "type": "literal_error"}]}}}
    assert (await client.get("/v1/batches")).json()["data"] == []


@pytest.mark.parametrize("missing", ["input_file_id", "endpoint", "completion_window"])
async def test_batches_create_without_a_required_field_is_a_validation_error(
    client: httpx.AsyncClient, missing: str
) -> None:
    body = batch_request("file-x")
    del body[missing]

    response = await client.post("/v1/batches", json=body)

    assert response.status_code == 400
    assert {"loc": ["body", missing], "msg": "Field required", "type": "missing"} in response.json()["error"]["detail"][
        "errors"
    ]


async def test_batches_create_with_unknown_input_file_is_accepted_and_fails_validation(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/batches", json=batch_request("file-missing"))

    assert response.status_code == 200
    assert response.json()["status"] == "validating"
    batch = await wait_for_batch(client, response.json()["id"])
    assert batch["status"] == "failed"
    assert batch["errors"] == {
        "object": "list",
        "data": [error("invalid_request", None, "input_file_id", "Cannot find file file-missing.")],
    }


async def test_batches_create_with_assistants_file_is_invalid_value(client: httpx.AsyncClient) -> None:
    input_file = await upload_file(client, jsonl(THREE_ECHOES), purpose="assistants")

    response = await client.post("/v1/batches", json=batch_request(input_file["id"]))

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid value: ")
    assert (await client.get("/v1/batches")).json()["data"] == []


GOOD_LINE = batch_line("ok", "echo", "hi")
GOOD = json.dumps(GOOD_LINE)
GOOD_BODY = GOOD_LINE["body"]
STREAMING = error(
    "streaming_unsupported", 1, "body.stream", "Chat Completions: Streaming is not supported in the Batch API."
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(jsonl([{**GOOD_LINE, "body": {**GOOD_BODY, "stream": True}}]), [STREAMING], id="stream-true"),
        pytest.param(
            jsonl([{**GOOD_LINE, "body": {**GOOD_BODY, "stream": "yes"}}]), [STREAMING], id="stream-not-false"
        ),
        pytest.param(
            jsonl([batch_line("a", "no-such-model", "hi")]),
            [
                error(
                    "model_not_found",
                    1,
                    "body.model",
                    "The provided model 'no-such-model' is not supported by the Batch API.",
                )
            ],
            id="unknown-model",
        ),
        pytest.param(
            jsonl([{**GOOD_LINE, "body": without(GOOD_BODY, "model")}]), [missing(1, "body.model")], id="no-model"
        ),
        pytest.param(
            jsonl([{**GOOD_LINE, "body": without(GOOD_BODY, "messages")}]),
            [missing(1, "body.messages")],
            id="no-messages",
        ),
        pytest.param(jsonl([without(GOOD_LINE, "custom_id")]), [missing(1, "custom_id")], id="no-custom-id"),
        pytest.param(jsonl([without(GOOD_LINE, "method")]), [missing(1, "method")], id="no-method"),
        pytest.param(jsonl([without(GOOD_LINE, "url")]), [missing(1, "url")], id="no-url"),
        pytest.param(jsonl([without(GOOD_LINE, "body")]), [missing(1, "body")], id="no-body"),
        pytest.param(
            jsonl([{**GOOD_LINE, "url": "/v1/embeddings"}]),
            [
                error(
                    "invalid_url",
                    1,
                    "url",
                    "The URL provided for this request does not match the batch endpoint: "
                    "'/v1/embeddings' is not '/v1/chat/completions'.",
                )
            ],
            id="url-not-the-endpoint",
        ),
        pytest.param(
            jsonl([{**GOOD_LINE, "method": "GET"}]),
            [error("invalid_value", 1, "method", "Invalid value: 'GET'. Supported values are: 'POST'.")],
            id="method-not-post",
        ),
        pytest.param(
            jsonl([{**GOOD_LINE, "custom_id": 7, "body": {**GOOD_BODY, "messages": "hi"}}]),
            [
                error(
                    "invalid_type",
                    1,
                    "custom_id",
                    "Invalid type for 'custom_id': expected a string, but got a number instead.",
                ),
                error(
                    "invalid_type",
                    1,
                    "body.messages",
                    "Invalid type for 'body.messages': expected an array, but got a string instead.",
                ),
            ],
            id="wrong-types",
        ),
        pytest.param(
            jsonl([{**GOOD_LINE, "body": "text"}]),
            [
                error(
                    "invalid_type", 1, "body", "Invalid type for 'body': expected an object, but got a string instead."
                )
            ],
            id="body-not-an-object",
        ),
        pytest.param(
            f"{GOOD}\nnot json\n".encode(),
            [error("invalid_json_line", 2, None, "This line is not parseable as valid JSON.")],
            id="non-json-line",
        ),
        pytest.param(
            jsonl([batch_line("same", "echo", "a"), batch_line("other", "echo", "b"), batch_line("same", "echo", "c")]),
            [
                error(
                    "duplicate_custom_id",
                    3,
                    "custom_id",
                    "The custom_id 'same' is already used on line 1; each request needs its own.",
                )
            ],
            id="duplicate-custom-id",
        ),
        pytest.param(
            b"[1, 2]\n",
            [error("invalid_request", 1, None, "Each line must be a JSON object.")],
            id="line-not-an-object",
        ),
        pytest.param(b"", [error("empty_file", None, None, "The input file has no requests.")], id="empty-file"),
        pytest.param(
            b"\n  \n\n", [error("empty_file", None, None, "The input file has no requests.")], id="blank-lines-only"
        ),
        pytest.param(
            b"\xff\xfe{}\n", [error("invalid_file", None, None, "The input file is not UTF-8 text.")], id="not-utf8"
        ),
        pytest.param(
            jsonl(
                [{"url": "/v1/embeddings", "method": "POST", "body": {**GOOD_BODY, "model": "nope", "stream": True}}]
            ),
            [
                missing(1, "custom_id"),
                error(
                    "invalid_url",
                    1,
                    "url",
                    "The URL provided for this request does not match the batch endpoint: "
                    "'/v1/embeddings' is not '/v1/chat/completions'.",
                ),
                error(
                    "model_not_found", 1, "body.model", "The provided model 'nope' is not supported by the Batch API."
                ),
                STREAMING,
            ],
            id="every-problem-of-a-line",
        ),
        pytest.param(
            f"{{oops\n{GOOD}\n\n{{}}\n".encode(),
            [
                error("invalid_json_line", 1, None, "This line is not parseable as valid JSON."),
                missing(4, "custom_id"),
                missing(4, "method"),
                missing(4, "url"),
                missing(4, "body"),
            ],
            id="every-bad-line-blank-lines-counted",
        ),
    ],
)
async def test_batches_invalid_input_fails_the_batch_with_openai_errors(
    shared_client: httpx.AsyncClient, content: bytes, expected: list[dict[str, Any]]
) -> None:
    created = await create_batch(shared_client, content)

    batch = await wait_for_batch(shared_client, created["id"])

    assert batch["status"] == "failed"
    assert batch["failed_at"] is not None
    assert batch["errors"] == {"object": "list", "data": expected}
    assert batch["output_file_id"] is None
    assert batch["error_file_id"] is None


async def test_batches_input_is_validated_whole_before_any_request_runs(client: httpx.AsyncClient) -> None:
    # Twenty slow requests would take seconds; the bad last line must stop them all from starting.
    lines = [batch_line(f"slow-{n}", "slow-echo", "one two three four five") for n in range(20)]
    created = await create_batch(client, jsonl([*lines, {**GOOD_LINE, "body": {**GOOD_BODY, "stream": True}}]))

    batch = await wait_for_batch(client, created["id"], deadline=1.0)

    assert batch["status"] == "failed"
    assert batch["in_progress_at"] is None
    assert batch["request_counts"] == {"total": 0, "completed": 0, "failed": 0}
    assert [(e["code"], e["line"]) for e in batch["errors"]["data"]] == [("streaming_unsupported", 21)]


async def test_batches_cancel_stops_a_running_batch_with_partial_counts(client: httpx.AsyncClient) -> None:
    # 30 requests of 5 words at 20 ms a word: about 3 s if nothing stops it.
    lines = [batch_line(f"slow-{n}", "slow-echo", "one two three four five") for n in range(30)]
    created = await create_batch(client, jsonl(lines))
    await wait_for_batch(client, created["id"], lambda b: b["request_counts"]["completed"] >= 1)

    response = await client.post(f"/v1/batches/{created['id']}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelling"
    assert response.json()["cancelling_at"] is not None
    batch = await wait_for_batch(client, created["id"])
    assert batch["status"] == "cancelled"
    assert batch["cancelled_at"] is not None
    counts = batch["request_counts"]
    assert counts["total"] == 30
    assert 1 <= counts["completed"] < 30
    assert counts["failed"] == 0
    output = read_jsonl(await file_content(client, batch["output_file_id"]))
    assert [line["custom_id"] for line in output] == [f"slow-{n}" for n in range(counts["completed"])]


async def test_batches_cancel_twice_keeps_cancelling(client: httpx.AsyncClient) -> None:
    lines = [batch_line(f"slow-{n}", "slow-echo", "one two three four five") for n in range(30)]
    created = await create_batch(client, jsonl(lines))
    await wait_for_batch(client, created["id"], lambda b: b["status"] == "in_progress")
    await client.post(f"/v1/batches/{created['id']}/cancel")

    response = await client.post(f"/v1/batches/{created['id']}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] in {"cancelling", "cancelled"}
    assert (await wait_for_batch(client, created["id"]))["status"] == "cancelled"


@pytest.mark.parametrize(
    ("content", "status"),
    [pytest.param(jsonl(THREE_ECHOES), "completed", id="completed"), pytest.param(b"", "failed", id="failed")],
)
async def test_batches_cancel_of_a_finished_batch_conflicts(
    client: httpx.AsyncClient, content: bytes, status: str
) -> None:
    created = await create_batch(client, content)
    finished = await wait_for_batch(client, created["id"])
    assert finished["status"] == status

    response = await client.post(f"/v1/batches/{created['id']}/cancel")

    assert response.status_code == 409
    assert response.json() == {"detail": f"Cannot cancel a batch with status '{status}'."}
    assert (await client.get(f"/v1/batches/{created['id']}")).json() == finished


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/v1/batches/batch_missing", id="retrieve"),
        pytest.param("POST", "/v1/batches/batch_missing/cancel", id="cancel"),
        pytest.param("GET", "/v1/batches?after=batch_missing", id="list-after"),
    ],
)
async def test_batches_unknown_batch_is_not_found(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Batch 'batch_missing' not found"}


async def test_batches_list_is_empty_on_a_fresh_server(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/batches")

    assert response.status_code == 200
    assert response.json() == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


async def create_several(client: httpx.AsyncClient, clock: Clock, *, seconds_apart: int) -> list[dict[str, Any]]:
    """Create five batches, `seconds_apart` from each other; returned in creation order."""
    input_file = await upload_file(client, jsonl(THREE_ECHOES))
    created = []
    for _ in range(5):
        response = await client.post("/v1/batches", json=batch_request(input_file["id"]))
        created.append(response.json())
        clock.advance(seconds_apart)
    return created


def ids(batches: list[dict[str, Any]]) -> list[str]:
    return [batch["id"] for batch in batches]


async def test_batches_list_is_newest_first(client: httpx.AsyncClient, clock: Clock) -> None:
    created = await create_several(client, clock, seconds_apart=1)

    body = (await client.get("/v1/batches")).json()

    assert ids(body["data"]) == ids(created)[::-1]
    assert (body["first_id"], body["last_id"], body["has_more"]) == (created[-1]["id"], created[0]["id"], False)


async def test_batches_list_orders_batches_of_the_same_second_by_descending_id(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    created = await create_several(client, clock, seconds_apart=0)

    body = (await client.get("/v1/batches")).json()

    assert ids(body["data"]) == sorted(ids(created), reverse=True)


@pytest.mark.parametrize("seconds_apart", [pytest.param(1, id="one-second-apart"), pytest.param(0, id="same-second")])
async def test_batches_list_pages_with_after(client: httpx.AsyncClient, clock: Clock, seconds_apart: int) -> None:
    created = await create_several(client, clock, seconds_apart=seconds_apart)
    expected = ids(sorted(created, key=lambda batch: (batch["created_at"], batch["id"]), reverse=True))

    pages = [(await client.get("/v1/batches", params={"limit": 2})).json()]
    while pages[-1]["has_more"]:
        pages.append((await client.get("/v1/batches", params={"limit": 2, "after": pages[-1]["last_id"]})).json())

    assert [ids(page["data"]) for page in pages] == [expected[0:2], expected[2:4], expected[4:]]
    assert [(page["first_id"], page["last_id"]) for page in pages] == [
        (expected[0], expected[1]),
        (expected[2], expected[3]),
        (expected[4], expected[4]),
    ]
    assert [page["has_more"] for page in pages] == [True, True, False]


@pytest.mark.parametrize(
    "limit", [pytest.param(0, id="limit-0"), pytest.param(101, id="limit-101"), pytest.param("x", id="not-a-number")]
)
async def test_batches_list_with_limit_out_of_range_is_a_validation_error(
    client: httpx.AsyncClient, limit: int | str
) -> None:
    response = await client.get("/v1/batches", params={"limit": limit})

    assert response.status_code == 400
    assert [error["loc"] for error in response.json()["error"]["detail"]["errors"]] == [["query", "limit"]]


async def test_batches_list_defaults_to_twenty(client: httpx.AsyncClient) -> None:
    input_file = await upload_file(client, b"")
    for _ in range(21):
        assert (await client.post("/v1/batches", json=batch_request(input_file["id"]))).status_code == 200

    body = (await client.get("/v1/batches")).json()
    at_most = (await client.get("/v1/batches", params={"limit": 100})).json()

    assert len(body["data"]) == 20
    assert body["has_more"] is True
    assert len(at_most["data"]) == 21
    assert at_most["has_more"] is False
