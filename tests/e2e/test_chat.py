"""Chat completions through the official `openai` client, plain and streamed, against a real server."""

from __future__ import annotations

from typing import Any, cast

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "Repeat after me."},
    {"role": "user", "content": "hello there world"},
]


def test_chat_echo_answers_with_the_last_user_message(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="echo", messages=MESSAGES)

    assert completion.object == "chat.completion"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content == "hello there world"
    assert completion.choices[0].finish_reason == "stop"


@pytest.mark.parametrize(
    ("model", "max_tokens"),
    [
        pytest.param("echo", None, id="echo"),
        pytest.param("slow-echo", None, id="slow-echo"),
        pytest.param("lorem", 5, id="lorem-5-words"),
    ],
)
def test_chat_stream_concatenates_to_the_plain_answer(
    client: openai.OpenAI, model: str, max_tokens: int | None
) -> None:
    plain = client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=max_tokens)

    with client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=max_tokens, stream=True) as stream:
        chunks = list(stream)

    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert len({chunk.id for chunk in chunks}) == 1
    assert chunks[-1].choices[0].finish_reason == "stop"
    streamed = "".join(choice.delta.content or "" for chunk in chunks for choice in chunk.choices)
    assert streamed == plain.choices[0].message.content


def test_chat_lorem_answers_with_max_tokens_words(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="lorem", messages=MESSAGES, max_tokens=5)

    content = completion.choices[0].message.content
    assert content is not None
    assert len(content.split()) == 5


def test_chat_unknown_model_raises_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="no-such-model", messages=MESSAGES)

    assert raised.value.status_code == 404


def test_chat_stream_with_unknown_model_raises_api_error_while_iterating(client: openai.OpenAI) -> None:
    # The server has already answered 200 when the model is looked up: the error is the stream's one event.
    with client.chat.completions.create(model="no-such-model", messages=MESSAGES, stream=True) as stream:
        assert stream.response.status_code == 200
        with pytest.raises(openai.APIError, match="no-such-model") as raised:
            list(stream)

    assert not isinstance(raised.value, openai.APIStatusError)


@pytest.mark.parametrize(
    ("request_fields", "invalid_field"),
    [
        pytest.param({"messages": []}, "messages", id="no-messages"),
        pytest.param({"messages": "hello there world"}, "messages", id="messages-not-a-list"),
        pytest.param({"messages": [{"role": "narrator", "content": "hi"}]}, "messages", id="unknown-role"),
        pytest.param({"messages": MESSAGES, "max_tokens": "five"}, "max_tokens", id="max-tokens-not-a-number"),
    ],
)
def test_chat_invalid_request_raises_bad_request_not_unprocessable(
    client: openai.OpenAI, request_fields: dict[str, Any], invalid_field: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="echo", **cast(Any, request_fields))

    assert raised.value.status_code == 400
    body = cast(dict[str, Any], raised.value.body)
    assert any(invalid_field in error["loc"] for error in body["detail"]["errors"])
