from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_subclass_of_declared_return_model_serialises_all_its_fields(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/widgets/w1")
    assert response.status_code == 200
    assert response.json() == {"widget_id": "w1", "size": 3, "tags": [], "secret": "kept"}


async def test_delete_returning_none_answers_204_with_empty_body(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/widgets/w1")
    assert response.status_code == 204
    assert response.content == b""


async def test_post_returning_none_answers_200_null(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/widgets/w1/touch")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b"null"


async def test_get_returning_none_answers_200_null(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/widgets/w1/lookup")
    assert response.status_code == 200
    assert response.content == b"null"


async def test_non_streaming_call_answers_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat", json={"prompt": "hi", "count": 4})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"index": 4, "provider_data": {}}
