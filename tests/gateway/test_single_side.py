from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

import apis
from gateway.lifecycle import Side
from gateway.settings import ServerSettings
from gateway.single_side import SingleSideApp


async def _client(tmp_path: Path, side: Side) -> AsyncIterator[httpx.AsyncClient]:
    app = SingleSideApp(apis.registry, ServerSettings(data_dir=tmp_path), side)
    async with app.app.router.lifespan_context(app.app):
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def legacy(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, "legacy"):
        yield client


@pytest.mark.anyio
async def test_single_side_unknown_path_answers_404_like_the_old_server(legacy: httpx.AsyncClient) -> None:
    response = await legacy.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.anyio
async def test_single_side_known_path_wrong_method_answers_405(legacy: httpx.AsyncClient) -> None:
    response = await legacy.patch("/v1/models")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.anyio
async def test_single_side_dispatches_to_each_api(legacy: httpx.AsyncClient) -> None:
    assert (await legacy.get("/v1/health")).json() == {"status": "OK"}
    assert (await legacy.get("/v1/models/echo")).json()["id"] == "echo"
    assert (await legacy.get("/v1/files")).json()["object"] == "list"


@pytest.mark.anyio
async def test_single_side_openapi_merges_every_api(legacy: httpx.AsyncClient) -> None:
    document = (await legacy.get("/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    for path in ("/v1/models", "/v1/models/{model_id}", "/v1/files", "/v1/batches", "/v1/chat/completions"):
        assert path in paths
    assert paths["/v1/openai/v1/models"]["get"]["deprecated"] is True
    assert "Model" in document["components"]["schemas"]


@pytest.mark.anyio
async def test_single_side_docs_page_points_at_the_document(legacy: httpx.AsyncClient) -> None:
    response = await legacy.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


@pytest.mark.anyio
async def test_single_side_migrated_serves_only_apis_with_a_router(tmp_path: Path) -> None:
    async for client in _client(tmp_path, "migrated"):
        migrated = [r.name for r in apis.registry if r.migrated is not None]
        response = await client.get("/v1/providers")
        assert "providers" not in migrated
        assert response.status_code == 404
