"""The models API served by the legacy adapter: built-ins, registration, the coerced PUT, the deprecated alias."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.apis.steps import Clock

pytestmark = pytest.mark.anyio

BUILTINS = ["echo", "lorem", "slow-echo"]


async def register(client: httpx.AsyncClient, model_id: str, **fields: Any) -> httpx.Response:
    return await client.post("/v1/models", json={"model_id": model_id, **fields})


async def test_models_list_has_only_builtins_on_a_fresh_server(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/models")

    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    assert [model["id"] for model in body["data"]] == BUILTINS
    for model in body["data"]:
        assert model == {
            "id": model["id"],
            "object": "model",
            "created": model["created"],
            "owned_by": "builtin",
            "provider_model_id": model["id"],
            "metadata": {},
        }


async def test_models_list_puts_builtins_before_registered_models_in_registration_order(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    for model_id in ["zeta", "alpha", "org/middle"]:
        await register(client, model_id)
        clock.advance(1)

    response = await client.get("/v1/models")

    assert [model["id"] for model in response.json()["data"]] == [*BUILTINS, "zeta", "alpha", "org/middle"]


async def test_models_list_orders_models_registered_the_same_second_by_id(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    for model_id in ["zeta", "alpha", "org/middle"]:
        await register(client, model_id)

    response = await client.get("/v1/models")

    assert [model["id"] for model in response.json()["data"]] == [*BUILTINS, "alpha", "org/middle", "zeta"]


async def test_models_register_returns_the_registered_model(client: httpx.AsyncClient) -> None:
    before = int(time.time())

    response = await register(client, "my-model", provider_model_id="lorem", metadata={"team": "search", "n": 1})

    assert response.status_code == 200
    model = response.json()
    assert model == {
        "id": "my-model",
        "object": "model",
        "created": model["created"],
        "owned_by": "registered",
        "provider_model_id": "lorem",
        "metadata": {"team": "search", "n": 1},
    }
    assert before <= model["created"] <= int(time.time())


async def test_models_register_defaults_to_echo_and_empty_metadata(client: httpx.AsyncClient) -> None:
    response = await register(client, "bare")

    assert response.status_code == 200
    assert response.json()["provider_model_id"] == "echo"
    assert response.json()["metadata"] == {}


@pytest.mark.parametrize(
    ("model_id", "path"),
    [
        pytest.param("plain", "/v1/models/plain", id="plain"),
        pytest.param("org/model", "/v1/models/org/model", id="slash"),
        pytest.param("org/team/model", "/v1/models/org/team/model", id="two-slashes"),
        pytest.param("org/model", "/v1/models/org%2Fmodel", id="encoded-slash"),
        pytest.param("org/team/model", "/v1/models/org%2Fteam/model", id="mixed-slashes"),
    ],
)
async def test_models_get_registered_model_by_id(client: httpx.AsyncClient, model_id: str, path: str) -> None:
    registered = (await register(client, model_id, metadata={"k": "v"})).json()

    response = await client.get(path)

    assert response.status_code == 200
    assert response.json() == registered


@pytest.mark.parametrize("model_id", BUILTINS)
async def test_models_get_builtin_by_id(client: httpx.AsyncClient, model_id: str) -> None:
    response = await client.get(f"/v1/models/{model_id}")

    assert response.status_code == 200
    assert response.json()["id"] == model_id
    assert response.json()["owned_by"] == "builtin"


async def test_models_get_unknown_model_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/models/org/missing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Model 'org/missing' not found"}


async def test_models_register_twice_conflicts(client: httpx.AsyncClient) -> None:
    assert (await register(client, "org/model")).status_code == 200

    response = await register(client, "org/model", provider_model_id="lorem")

    assert response.status_code == 409
    assert response.json() == {"detail": "Model 'org/model' already exists"}
    assert (await client.get("/v1/models/org/model")).json()["provider_model_id"] == "echo"


@pytest.mark.parametrize("model_id", BUILTINS)
async def test_models_register_builtin_name_conflicts(client: httpx.AsyncClient, model_id: str) -> None:
    response = await register(client, model_id)

    assert response.status_code == 409
    assert response.json() == {"detail": f"Model '{model_id}' already exists"}


async def test_models_register_unknown_provider_model_is_invalid_value(client: httpx.AsyncClient) -> None:
    response = await register(client, "my-model", provider_model_id="gpt-9")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid value: provider_model_id must be one of echo, lorem, slow-echo, not 'gpt-9'"
    }
    assert (await client.get("/v1/models/my-model")).status_code == 404


async def test_models_register_blank_id_is_invalid_value(client: httpx.AsyncClient) -> None:
    response = await register(client, "   ")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid value: ")


async def test_models_register_reads_a_body_without_content_type_as_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/models", content=b'{"model_id": "untyped", "provider_model_id": "lorem"}')

    assert response.status_code == 200
    assert response.json()["provider_model_id"] == "lorem"


async def test_models_register_without_model_id_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/models", json={"provider_model_id": "echo"})

    assert response.status_code == 400
    assert response.json() == {
        "error": {"detail": {"errors": [{"loc": ["body", "model_id"], "msg": "Field required", "type": "missing"}]}}
    }


@pytest.mark.parametrize(
    "path",
    [pytest.param("/v1/models/org/model", id="slash"), pytest.param("/v1/models/org%2Fmodel", id="encoded-slash")],
)
async def test_models_update_metadata_is_served_as_post(client: httpx.AsyncClient, path: str) -> None:
    await register(client, "org/model", provider_model_id="lorem", metadata={"old": True})

    response = await client.post(path, json={"metadata": {"new": 1}})

    assert response.status_code == 200
    assert response.json()["metadata"] == {"new": 1}
    assert response.json()["provider_model_id"] == "lorem"
    assert (await client.get("/v1/models/org/model")).json()["metadata"] == {"new": 1}


async def test_models_update_metadata_with_put_is_method_not_allowed(client: httpx.AsyncClient) -> None:
    await register(client, "org/model", metadata={"old": True})

    response = await client.put("/v1/models/org/model", json={"metadata": {"new": 1}})

    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert "POST" in response.headers["allow"].split(", ")
    assert (await client.get("/v1/models/org/model")).json()["metadata"] == {"old": True}


async def test_models_update_unknown_model_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/models/missing", json={"metadata": {}})

    assert response.status_code == 404
    assert response.json() == {"detail": "Model 'missing' not found"}


async def test_models_update_without_metadata_is_a_validation_error(client: httpx.AsyncClient) -> None:
    await register(client, "my-model")

    response = await client.post("/v1/models/my-model", json={})

    assert response.status_code == 400
    assert response.json()["error"]["detail"]["errors"][0]["loc"] == ["body", "metadata"]


@pytest.mark.parametrize(
    "path",
    [pytest.param("/v1/models/org/model", id="slash"), pytest.param("/v1/models/org%2Fmodel", id="encoded-slash")],
)
async def test_models_delete_answers_204_and_the_model_is_gone(client: httpx.AsyncClient, path: str) -> None:
    await register(client, "org/model")

    response = await client.delete(path)

    assert response.status_code == 204
    assert response.content == b""
    after = await client.get("/v1/models/org/model")
    assert after.status_code == 404
    assert after.json() == {"detail": "Model 'org/model' not found"}
    assert [m["id"] for m in (await client.get("/v1/models")).json()["data"]] == BUILTINS


async def test_models_delete_unknown_model_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/models/missing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Model 'missing' not found"}


@pytest.mark.parametrize("model_id", BUILTINS)
@pytest.mark.parametrize(
    ("method", "body"),
    [pytest.param("POST", {"metadata": {"x": 1}}, id="update"), pytest.param("DELETE", None, id="delete")],
)
async def test_models_changing_a_builtin_is_forbidden(
    client: httpx.AsyncClient, model_id: str, method: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(method, f"/v1/models/{model_id}", json=body)

    assert response.status_code == 403
    assert response.json() == {"detail": f"Permission denied: built-in model '{model_id}' cannot be changed"}
    assert (await client.get(f"/v1/models/{model_id}")).json()["metadata"] == {}


async def test_models_deprecated_openai_alias_lists_the_same_models(client: httpx.AsyncClient) -> None:
    await register(client, "org/model", metadata={"k": "v"})

    alias = await client.get("/v1/openai/v1/models")
    current = await client.get("/v1/models")

    assert alias.status_code == 200
    assert alias.headers["content-type"] == current.headers["content-type"]
    assert alias.json() == current.json()
    assert len(alias.json()["data"]) == len(BUILTINS) + 1
