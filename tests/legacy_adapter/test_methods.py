from __future__ import annotations

import httpx
import pytest

from tests.legacy_adapter.toy_api import WidgetsImpl

pytestmark = pytest.mark.anyio


async def test_several_decorators_on_one_method_serve_several_routes(
    client: httpx.AsyncClient, impl: WidgetsImpl
) -> None:
    current = await client.get("/v1/widgets/w1")
    legacy = await client.get("/v1/legacy/widgets/w1")
    assert (current.status_code, legacy.status_code) == (200, 200)
    assert current.json() == legacy.json()
    assert impl.calls == ["get_widget", "get_widget"]


async def test_put_route_is_served_as_post(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/widgets/w1", json={"size": 7})
    assert response.status_code == 200
    assert response.json() == {"widget_id": "w1", "size": 7, "tags": []}


async def test_put_route_answers_put_with_405(client: httpx.AsyncClient, impl: WidgetsImpl) -> None:
    response = await client.put("/v1/widgets/w1", json={"size": 7})
    assert response.status_code == 405
    assert impl.calls == []


async def test_patch_route_is_served_as_post(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/widgets/w1/name", json={"name": "w2"})
    assert response.status_code == 200
    assert response.json() == {"widget_id": "w2", "size": 1, "tags": ["was:w1"]}


async def test_patch_route_answers_patch_with_405(client: httpx.AsyncClient, impl: WidgetsImpl) -> None:
    response = await client.patch("/v1/widgets/w1/name", json={"name": "w2"})
    assert response.status_code == 405
    assert impl.calls == []


async def test_get_and_delete_routes_keep_their_methods(client: httpx.AsyncClient, impl: WidgetsImpl) -> None:
    assert (await client.get("/v1/widgets")).status_code == 200
    assert (await client.delete("/v1/widgets/w1")).status_code == 204
    assert impl.calls == ["list_widgets", "delete_widget"]


async def test_get_route_answers_post_with_405(client: httpx.AsyncClient, impl: WidgetsImpl) -> None:
    response = await client.post("/v1/widgets/w1/lookup", json={})
    assert response.status_code == 405
    assert impl.calls == []
