"""The models API through the official `openai` client, against a real server."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

BUILTIN_MODELS = ("echo", "lorem", "slow-echo")


def register_model(base_url: str, model_id: str, provider_model_id: str, metadata: dict[str, Any]) -> httpx.Response:
    # The openai client has no call for registering a model: this is the gateway's own route.
    return httpx.post(
        f"{base_url}/v1/models",
        json={"model_id": model_id, "provider_model_id": provider_model_id, "metadata": metadata},
    )


def test_models_list_includes_builtins(client: openai.OpenAI) -> None:
    ids = [model.id for model in client.models.list()]

    assert set(BUILTIN_MODELS) <= set(ids)


def test_models_retrieve_builtin_by_id(client: openai.OpenAI) -> None:
    model = client.models.retrieve("echo")

    assert model.id == "echo"
    assert model.object == "model"


def test_models_retrieve_unknown_id_raises_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.models.retrieve("no-such-model")

    assert raised.value.status_code == 404


def test_models_registered_id_with_slash_is_retrievable_and_listed(gateway_url: str, client: openai.OpenAI) -> None:
    response = register_model(gateway_url, "team/echo-large", "echo", {"team": "search", "size": "large"})
    assert response.status_code == 200, response.text

    model = client.models.retrieve("team/echo-large")

    assert model.id == "team/echo-large"
    assert model.to_dict()["metadata"] == {"team": "search", "size": "large"}
    assert "team/echo-large" in [listed.id for listed in client.models.list()]


def test_models_registered_model_answers_like_the_builtin_it_names(gateway_url: str, client: openai.OpenAI) -> None:
    response = register_model(gateway_url, "team/echo-chat", "echo", {})
    assert response.status_code == 200, response.text

    completion = client.chat.completions.create(
        model="team/echo-chat", messages=[{"role": "user", "content": "hello there world"}]
    )

    assert completion.choices[0].message.content == "hello there world"
    assert completion.model == "team/echo-chat"
