"""The batches API through the official `openai` client: batches run for real in a real server."""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openai
import pytest
from openai import omit
from openai.types import Batch

if TYPE_CHECKING:
    from tests.e2e.conftest import StartGateway

BATCH_DEADLINE = 20.0
FINAL_STATUSES = frozenset({"completed", "failed", "cancelled", "expired"})


def chat_request(custom_id: str, model: str, text: str) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": model, "messages": [{"role": "user", "content": text}]},
    }


def upload_lines(client: openai.OpenAI, lines: list[str]) -> str:
    content = "".join(f"{line}\n" for line in lines).encode()
    return client.files.create(file=("batch.jsonl", content, "application/jsonl"), purpose="batch").id


def upload_requests(client: openai.OpenAI, requests: list[dict[str, Any]]) -> str:
    return upload_lines(client, [json.dumps(request) for request in requests])


def create_batch(client: openai.OpenAI, input_file_id: str, **metadata: str) -> Batch:
    return client.batches.create(
        input_file_id=input_file_id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata=metadata or omit,
    )


def wait_for_status(client: openai.OpenAI, batch_id: str, statuses: Collection[str] = FINAL_STATUSES) -> Batch:
    deadline = time.monotonic() + BATCH_DEADLINE
    batch = client.batches.retrieve(batch_id)
    while batch.status not in statuses:
        if time.monotonic() > deadline:
            pytest.fail(f"batch {batch_id} still {batch.status!r} after {BATCH_DEADLINE:.0f} s, expected {statuses}")
        time.sleep(0.05)
        batch = client.batches.retrieve(batch_id)
    return batch


def wait_for_next_second(after: int) -> None:
    # Creation times have one-second resolution; crossing a second makes "newer" unambiguous.
    while int(time.time()) <= after:
        time.sleep(0.02)


def test_batches_create_answers_with_the_new_batch(client: openai.OpenAI) -> None:
    input_file_id = upload_requests(client, [chat_request("r1", "echo", "one")])

    batch = create_batch(client, input_file_id, purpose="e2e")

    assert batch.id
    assert batch.object == "batch"
    assert batch.input_file_id == input_file_id
    assert batch.endpoint == "/v1/chat/completions"
    assert batch.completion_window == "24h"
    assert batch.metadata == {"purpose": "e2e"}
    assert batch.status in {"validating", "in_progress", "completed"}
    assert client.batches.retrieve(batch.id).id == batch.id


def test_batches_of_echo_requests_complete_with_outputs_in_input_order(client: openai.OpenAI) -> None:
    texts = {"r1": "first request here", "r2": "the second one", "r3": "and a third"}
    input_file_id = upload_requests(
        client, [chat_request(custom_id, "echo", text) for custom_id, text in texts.items()]
    )

    batch = wait_for_status(client, create_batch(client, input_file_id).id)

    assert batch.status == "completed", batch.errors
    assert batch.request_counts is not None
    assert (batch.request_counts.total, batch.request_counts.completed, batch.request_counts.failed) == (3, 3, 0)
    assert batch.output_file_id is not None
    lines = client.files.content(batch.output_file_id).text.splitlines()
    outputs = [json.loads(line) for line in lines]
    assert [output["custom_id"] for output in outputs] == list(texts)
    for output, text in zip(outputs, texts.values(), strict=True):
        assert output["response"]["status_code"] == 200
        assert output["response"]["body"]["choices"][0]["message"]["content"] == text


def test_batches_created_back_to_back_all_complete(start_gateway: StartGateway, tmp_path: Path) -> None:
    # Each upload and creation lands while the batches before it run and write their results. A server of its
    # own, so that a failure here cannot leave the other tests' server broken.
    with (
        start_gateway(tmp_path) as gateway,
        openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0) as client,
    ):
        batch_ids: list[str] = []
        for index in range(10):
            requests = [chat_request(f"r{n}", "echo", f"batch {index} request {n}") for n in range(3)]
            batch_ids.append(create_batch(client, upload_requests(client, requests)).id)

        batches = [wait_for_status(client, batch_id) for batch_id in batch_ids]

    unfinished = [(batch.status, batch.errors) for batch in batches if batch.status != "completed"]
    assert unfinished == []


def test_batches_and_uploads_sent_concurrently_all_succeed(start_gateway: StartGateway, tmp_path: Path) -> None:
    # Eight clients at once, as a busy server sees them: uploads land while batches are created and run.
    with (
        start_gateway(tmp_path) as gateway,
        openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0) as client,
    ):
        input_file_id = upload_requests(client, [chat_request("r1", "echo", "concurrent")])

        def send(index: int) -> str:
            if index % 2:
                return create_batch(client, input_file_id).id
            return upload_requests(client, [chat_request("r1", "echo", f"upload {index}")])

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(send, index) for index in range(40)]
            failures = [
                f"{'create batch' if index % 2 else 'upload'} {index}: {exc!r}"
                for index, future in enumerate(futures)
                if (exc := future.exception()) is not None
            ]
        assert failures == []
        statuses = {wait_for_status(client, future.result()).status for future in futures[1::2]}

    assert statuses == {"completed"}


def test_batches_cancel_right_after_creation_ends_cancelled(client: openai.OpenAI) -> None:
    # Twenty slow-echo requests of 60 words each take over a second apiece: the batch is caught in flight.
    long_text = " ".join(f"word{index}" for index in range(60))
    input_file_id = upload_requests(client, [chat_request(f"r{index}", "slow-echo", long_text) for index in range(20)])
    batch = create_batch(client, input_file_id)

    cancelling = client.batches.cancel(batch.id)

    assert cancelling.id == batch.id
    assert cancelling.status in {"cancelling", "cancelled"}
    cancelled = wait_for_status(client, batch.id)
    assert cancelled.status == "cancelled"
    assert cancelled.request_counts is not None
    assert cancelled.request_counts.completed < 20


def test_batches_list_shows_batches_newest_first(client: openai.OpenAI) -> None:
    input_file_id = upload_requests(client, [chat_request("r1", "echo", "listed")])
    older = create_batch(client, input_file_id)
    wait_for_next_second(older.created_at)
    newer = create_batch(client, input_file_id)

    batches = client.batches.list().data

    ids = [batch.id for batch in batches]
    assert ids.index(newer.id) < ids.index(older.id)
    keys = [(batch.created_at, batch.id) for batch in batches]
    assert keys == sorted(keys, reverse=True)


def test_batches_list_pages_with_after_and_limit_as_one_listing(client: openai.OpenAI) -> None:
    input_file_id = upload_requests(client, [chat_request("r1", "echo", "paged")])
    for _ in range(3):
        create_batch(client, input_file_id)

    first_page = client.batches.list(limit=1)
    # Iterating a page follows `after` (the last id of each page) until `has_more` is false.
    paged = [batch.id for batch in client.batches.list(limit=1)]

    assert len(first_page.data) == 1
    assert first_page.has_more is True
    assert paged == [batch.id for batch in client.batches.list(limit=100).data]


def test_batches_retrieve_unknown_id_raises_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_does_not_exist")


def test_batches_cancel_unknown_id_raises_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.batches.cancel("batch_does_not_exist")


def test_batches_create_for_unsupported_endpoint_raises_bad_request(client: openai.OpenAI) -> None:
    input_file_id = upload_requests(client, [chat_request("r1", "echo", "embed me")])

    with pytest.raises(openai.BadRequestError) as raised:
        client.batches.create(input_file_id=input_file_id, endpoint="/v1/embeddings", completion_window="24h")

    assert raised.value.status_code == 400
    assert raised.value.body == {
        "detail": {
            "errors": [
                {
                    "loc": ["body", "endpoint"],
                    "msg": "Invalid value: '/v1/embeddings'. Supported values are: '/v1/chat/completions'.",
                    "type": "literal_error",
                }
            ]
        }
    }


def test_batches_with_a_line_that_is_not_json_end_failed_with_its_line(client: openai.OpenAI) -> None:
    input_file_id = upload_lines(client, [json.dumps(chat_request("r1", "echo", "fine")), "this is not json"])

    batch = wait_for_status(client, create_batch(client, input_file_id).id)

    assert batch.status == "failed"
    assert batch.errors is not None
    assert batch.errors.data
    # Lines are counted from 1, as an editor shows them.
    assert batch.errors.data[0].line == 2


def with_body(request: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**request, "body": {**request["body"], **changes}}


def without(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in item.items() if name != key}


ONE_ECHO = chat_request("r1", "echo", "hi")


@pytest.mark.parametrize(
    ("request_line", "code", "param", "message"),
    [
        pytest.param(
            with_body(ONE_ECHO, stream=True),
            "streaming_unsupported",
            "body.stream",
            "Chat Completions: Streaming is not supported in the Batch API.",
            id="stream",
        ),
        pytest.param(
            chat_request("r1", "no-such-model", "hi"),
            "model_not_found",
            "body.model",
            "The provided model 'no-such-model' is not supported by the Batch API.",
            id="unknown-model",
        ),
        *(
            pytest.param(
                request_line,
                "missing_required_parameter",
                param,
                f"Missing required parameter: '{param}'.",
                id=f"no-{param}",
            )
            for param, request_line in [
                ("body.model", {**ONE_ECHO, "body": without(ONE_ECHO["body"], "model")}),
                ("body.messages", {**ONE_ECHO, "body": without(ONE_ECHO["body"], "messages")}),
                ("custom_id", without(ONE_ECHO, "custom_id")),
                ("method", without(ONE_ECHO, "method")),
                ("url", without(ONE_ECHO, "url")),
                ("body", without(ONE_ECHO, "body")),
            ]
        ),
        pytest.param(
            {**ONE_ECHO, "url": "/v1/embeddings"},
            "invalid_url",
            "url",
            "The URL provided for this request does not match the batch endpoint: "
            "'/v1/embeddings' is not '/v1/chat/completions'.",
            id="url-not-the-endpoint",
        ),
    ],
)
def test_batches_with_an_invalid_line_fail_validation_with_openai_errors(
    client: openai.OpenAI, request_line: dict[str, Any], code: str, param: str, message: str
) -> None:
    # The invalid line last: no request of the file runs, the valid ones before it neither.
    input_file_id = upload_requests(client, [chat_request("r0", "echo", "fine"), request_line])

    batch = wait_for_status(client, create_batch(client, input_file_id).id)

    assert batch.status == "failed"
    assert batch.failed_at is not None
    assert batch.in_progress_at is None
    assert batch.output_file_id is None
    assert batch.errors is not None
    assert batch.errors.object == "list"
    assert [error.model_dump() for error in batch.errors.data or []] == [
        {"code": code, "line": 2, "message": message, "param": param}
    ]


def test_batches_over_an_unknown_file_are_accepted_and_fail_validation(client: openai.OpenAI) -> None:
    created = create_batch(client, "file-does-not-exist")

    batch = wait_for_status(client, created.id)

    assert created.status == "validating"
    assert batch.status == "failed"
    assert batch.errors is not None
    assert [error.model_dump() for error in batch.errors.data or []] == [
        {
            "code": "invalid_request",
            "line": None,
            "message": "Cannot find file file-does-not-exist.",
            "param": "input_file_id",
        }
    ]


def test_batches_cancel_of_a_completed_batch_raises_conflict(client: openai.OpenAI) -> None:
    batch = wait_for_status(client, create_batch(client, upload_requests(client, [ONE_ECHO])).id)
    assert batch.status == "completed"

    with pytest.raises(openai.ConflictError) as raised:
        client.batches.cancel(batch.id)

    assert raised.value.status_code == 409
    assert raised.value.body == {"detail": "Cannot cancel a batch with status 'completed'."}


def test_batches_request_failing_when_run_is_in_the_error_file_with_a_readable_error(client: openai.OpenAI) -> None:
    failing = with_body(chat_request("bad", "echo", "hi"), max_tokens=0)
    input_file_id = upload_requests(client, [ONE_ECHO, failing])

    batch = wait_for_status(client, create_batch(client, input_file_id).id)

    assert batch.status == "completed", batch.errors
    assert batch.request_counts is not None
    assert (batch.request_counts.completed, batch.request_counts.failed) == (1, 1)
    assert batch.error_file_id is not None
    [line] = [json.loads(line) for line in client.files.content(batch.error_file_id).text.splitlines()]
    assert line["custom_id"] == "bad"
    assert line["error"] is None
    assert line["response"]["status_code"] == 400
    assert line["response"]["body"] == {
        "error": {
            "message": "Invalid 'max_tokens': input should be greater than or equal to 1.",
            "type": "invalid_request_error",
            "param": "max_tokens",
            "code": "invalid_value",
        }
    }
