"""The inference API served by the legacy adapter: the built-in models, SSE framing, errors, request context."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx
import pytest

from apis.inference.implementation import LOREM
from tests.apis.steps import chat_body

pytestmark = pytest.mark.anyio


@pytest.fixture
def client(shared_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """One server for the module: these tests change no state that another test reads."""
    return shared_client


def sse_events(response: httpx.Response) -> list[dict[str, Any]]:
    """The events of a legacy stream, checking each is framed exactly `data: <json>\\n\\n`."""
    assert response.text.endswith("\n\n")
    frames = response.text.split("\n\n")[:-1]
    events = []
    for frame in frames:
        assert frame.startswith("data: "), repr(frame)
        assert "\n" not in frame, repr(frame)
        events.append(json.loads(frame.removeprefix("data: ")))
    return events


def streamed_text(events: list[dict[str, Any]]) -> str:
    return "".join(event["choices"][0]["delta"]["content"] or "" for event in events)


def answer(response: httpx.Response) -> str:
    content: str = response.json()["choices"][0]["message"]["content"]
    return content


def without_identity(completion: dict[str, Any]) -> dict[str, Any]:
    """A completion without what differs between two identical requests."""
    return {key: value for key, value in completion.items() if key not in {"id", "created"}}


async def test_inference_completion_has_the_openai_shape(client: httpx.AsyncClient) -> None:
    before = int(time.time())

    response = await client.post("/v1/chat/completions", json=chat_body("echo", "hello there world"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    completion = response.json()
    assert completion == {
        "id": completion["id"],
        "object": "chat.completion",
        "created": completion["created"],
        "model": "echo",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "hello there world"},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
        "system_fingerprint": None,
    }
    assert completion["id"].startswith("chatcmpl-")
    assert before <= completion["created"] <= int(time.time())


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        pytest.param([{"role": "user", "content": "only"}], "only", id="one-message"),
        pytest.param(
            [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "first"},
                {"role": "assistant", "content": "noted"},
                {"role": "user", "content": "second question"},
                {"role": "assistant", "content": "trailing"},
            ],
            "second question",
            id="last-user-message",
        ),
        pytest.param(
            [{"role": "user", "content": [{"type": "text", "text": "part one"}, {"type": "text", "text": ", two"}]}],
            "part one, two",
            id="content-parts",
        ),
        pytest.param([{"role": "system", "content": "no user"}], "", id="no-user-message"),
    ],
)
async def test_inference_echo_answers_the_last_user_message(
    client: httpx.AsyncClient, messages: list[dict[str, Any]], expected: str
) -> None:
    response = await client.post("/v1/chat/completions", json={"model": "echo", "messages": messages})

    assert response.status_code == 200
    assert answer(response) == expected


@pytest.mark.parametrize(
    ("max_tokens", "words"),
    [
        pytest.param(None, 16, id="default-16"),
        pytest.param(1, 1, id="one"),
        pytest.param(5, 5, id="five"),
        pytest.param(len(LOREM) + 10, len(LOREM) + 10, id="longer-than-the-text"),
    ],
)
async def test_inference_lorem_answers_max_tokens_words(
    client: httpx.AsyncClient, max_tokens: int | None, words: int
) -> None:
    extra = {} if max_tokens is None else {"max_tokens": max_tokens}

    response = await client.post("/v1/chat/completions", json=chat_body("lorem", "anything", **extra))

    assert response.status_code == 200
    assert answer(response) == " ".join(itertools.islice(itertools.cycle(LOREM), words))
    assert response.json()["usage"]["completion_tokens"] == words


async def test_inference_lorem_is_deterministic(client: httpx.AsyncClient) -> None:
    first = await client.post("/v1/chat/completions", json=chat_body("lorem", "a", max_tokens=8))
    second = await client.post("/v1/chat/completions", json=chat_body("lorem", "b c d", max_tokens=8))

    assert answer(first) == answer(second) == "lorem ipsum dolor sit amet consectetur adipiscing elit"


@pytest.mark.parametrize("stream", [pytest.param(False, id="plain"), pytest.param(True, id="streamed")])
async def test_inference_slow_echo_answers_like_echo_at_20_ms_a_word(client: httpx.AsyncClient, stream: bool) -> None:
    started = time.monotonic()

    response = await client.post(
        "/v1/chat/completions", json=chat_body("slow-echo", "one two three four five", stream=stream)
    )

    elapsed = time.monotonic() - started
    assert response.status_code == 200
    text = streamed_text(sse_events(response)) if stream else answer(response)
    assert text == "one two three four five"
    # A lower bound only: slow enough to be caught in flight, whatever the machine's load.
    assert elapsed >= 5 * 0.02 * 0.9


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        pytest.param("echo", {}, id="echo"),
        pytest.param("lorem", {"max_tokens": 7}, id="lorem"),
        pytest.param("slow-echo", {}, id="slow-echo"),
    ],
)
async def test_inference_stream_is_framed_chunks_joining_to_the_answer(
    client: httpx.AsyncClient, model: str, extra: dict[str, Any]
) -> None:
    body = chat_body(model, "streams are joined word by word", **extra)
    plain = await client.post("/v1/chat/completions", json=body)

    response = await client.post("/v1/chat/completions", json={**body, "stream": True})

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/event-stream"
    assert "[DONE]" not in response.text
    events = sse_events(response)
    assert len(events) >= 3
    assert all(event["object"] == "chat.completion.chunk" for event in events)
    assert all(event["model"] == model for event in events)
    assert len({event["id"] for event in events}) == 1
    assert events[0]["id"].startswith("chatcmpl-")
    assert events[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(event["choices"][0]["delta"]["role"] is None for event in events[1:])
    assert streamed_text(events) == answer(plain)
    assert events[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(event["choices"][0]["finish_reason"] is None for event in events[:-1])


async def test_inference_stream_false_answers_one_completion(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat/completions", json=chat_body("echo", "hi", stream=False))

    assert response.status_code == 200
    assert response.json()["object"] == "chat.completion"


async def test_inference_unknown_model_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat/completions", json=chat_body("x", "hi"))

    assert response.status_code == 404
    assert response.json() == {"detail": "Model 'x' not found"}


async def test_inference_unknown_model_streamed_is_200_with_one_error_event(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat/completions", json=chat_body("x", "hi", stream=True))

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/event-stream"
    assert sse_events(response) == [{"error": {"message": "404: Model 'x' not found"}}]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        pytest.param({"model": "echo", "messages": []}, "messages", id="empty-messages"),
        pytest.param({"model": "echo"}, "messages", id="no-messages"),
        pytest.param({"messages": [{"role": "user", "content": "hi"}]}, "model", id="no-model"),
        pytest.param(chat_body("echo", "hi", max_tokens=0), "max_tokens", id="max-tokens-0"),
        pytest.param(chat_body("echo", "hi", temperature=3), "temperature", id="temperature-3"),
        pytest.param({"model": "echo", "messages": [{"role": "robot", "content": "hi"}]}, "messages", id="bad-role"),
        pytest.param(chat_body("echo", "hi", stream=True, max_tokens=0), "max_tokens", id="streamed-max-tokens-0"),
    ],
)
async def test_inference_invalid_request_is_a_validation_error(
    client: httpx.AsyncClient, body: dict[str, Any], loc: str
) -> None:
    response = await client.post("/v1/chat/completions", json=body)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    errors = response.json()["error"]["detail"]["errors"]
    assert errors
    assert all(loc in error["loc"] for error in errors), errors
    assert all(set(error) == {"loc", "msg", "type"} for error in errors)


async def test_inference_body_that_is_not_json_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/chat/completions", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert "errors" in response.json()["error"]["detail"]


async def test_inference_accepts_and_ignores_unknown_openai_fields(client: httpx.AsyncClient) -> None:
    body = chat_body("echo", "hi", temperature=0.5, top_p=0.9, user="someone", n=1)

    response = await client.post("/v1/chat/completions", json=body)

    assert response.status_code == 200
    assert answer(response) == "hi"


PROVIDER_DATA = {"X-Provider-Data": json.dumps({"system_fingerprint": "fp"})}


async def test_inference_provider_data_header_sets_system_fingerprint(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat/completions", json=chat_body("echo", "hi"), headers=PROVIDER_DATA)

    assert response.json()["system_fingerprint"] == "fp"


@pytest.mark.parametrize("model", ["echo", "slow-echo"])
async def test_inference_provider_data_header_reaches_every_streamed_chunk(
    client: httpx.AsyncClient, model: str
) -> None:
    body = chat_body(model, "one two three", stream=True)

    response = await client.post("/v1/chat/completions", json=body, headers=PROVIDER_DATA)

    events = sse_events(response)
    assert len(events) == 5
    assert [event["system_fingerprint"] for event in events] == ["fp"] * len(events)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("not json", id="not-json"),
        pytest.param('["fp"]', id="json-list"),
        pytest.param('{"other": "x"}', id="no-fingerprint"),
    ],
)
async def test_inference_unusable_provider_data_header_is_ignored(client: httpx.AsyncClient, header: str) -> None:
    response = await client.post(
        "/v1/chat/completions", json=chat_body("echo", "hi"), headers={"X-Provider-Data": header}
    )

    assert response.status_code == 200
    assert response.json()["system_fingerprint"] is None


async def test_inference_provider_data_does_not_leak_into_the_next_request(client: httpx.AsyncClient) -> None:
    await client.post("/v1/chat/completions", json=chat_body("echo", "hi", stream=True), headers=PROVIDER_DATA)

    response = await client.post("/v1/chat/completions", json=chat_body("echo", "hi"))

    assert response.json()["system_fingerprint"] is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(chat_body("echo", "say this back"), id="echo"),
        pytest.param(chat_body("lorem", "x", max_tokens=4), id="lorem"),
        pytest.param(chat_body("missing", "x"), id="unknown-model"),
        pytest.param({"model": "echo", "messages": []}, id="invalid"),
    ],
)
async def test_inference_v1alpha_route_answers_like_v1(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    v1 = await client.post("/v1/chat/completions", json=body)

    v1alpha = await client.post("/v1alpha/inference/chat-completion", json=body)

    assert v1alpha.status_code == v1.status_code
    assert v1alpha.headers["content-type"] == v1.headers["content-type"]
    if v1.status_code == 200:
        assert without_identity(v1alpha.json()) == without_identity(v1.json())
    else:
        assert v1alpha.json() == v1.json()


async def test_inference_v1alpha_route_streams_like_v1(client: httpx.AsyncClient) -> None:
    body = chat_body("echo", "one two", stream=True)
    v1 = sse_events(await client.post("/v1/chat/completions", json=body))

    v1alpha = sse_events(await client.post("/v1alpha/inference/chat-completion", json=body))

    assert [without_identity(event) for event in v1alpha] == [without_identity(event) for event in v1]


@pytest.mark.parametrize("builtin", ["echo", "lorem", "slow-echo"])
async def test_inference_registered_model_answers_like_the_builtin_it_names(
    client: httpx.AsyncClient, builtin: str
) -> None:
    alias_id = f"org/{builtin}-alias"
    registered = await client.post("/v1/models", json={"model_id": alias_id, "provider_model_id": builtin})
    assert registered.status_code == 200

    own = await client.post("/v1/chat/completions", json=chat_body(builtin, "a b c", max_tokens=6))
    alias = await client.post("/v1/chat/completions", json=chat_body(alias_id, "a b c", max_tokens=6))

    assert alias.status_code == 200
    assert alias.json()["model"] == alias_id
    assert answer(alias) == answer(own)
    assert alias.json()["usage"] == own.json()["usage"]


async def test_inference_registered_model_streams_like_the_builtin_it_names(client: httpx.AsyncClient) -> None:
    await client.post("/v1/models", json={"model_id": "my-lorem", "provider_model_id": "lorem"})

    events = sse_events(await client.post("/v1/chat/completions", json=chat_body("my-lorem", "x", stream=True)))

    assert streamed_text(events) == " ".join(LOREM[:16])
    assert {event["model"] for event in events} == {"my-lorem"}


async def test_inference_unregistered_model_is_not_found_again(client: httpx.AsyncClient) -> None:
    await client.post("/v1/models", json={"model_id": "temporary"})
    await client.delete("/v1/models/temporary")

    response = await client.post("/v1/chat/completions", json=chat_body("temporary", "hi"))

    assert response.status_code == 404
    assert response.json() == {"detail": "Model 'temporary' not found"}
