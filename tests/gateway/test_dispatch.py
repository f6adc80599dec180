from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.modes import Side
from gateway.registry import ApiRegistry
from gateway.settings import ServerSettings
from tests.captured_logs import captured_logs
from tests.gateway import unmigrated_apis


async def _client(
    tmp_path: Path, side: Side, registry: ApiRegistry = apis.registry
) -> AsyncIterator[httpx.AsyncClient]:
    app = GatewayApp(registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default=side))
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def legacy(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, "legacy"):
        yield client


@pytest.mark.anyio
async def test_gateway_fixed_flags_unknown_path_answers_404_like_the_old_server(legacy: httpx.AsyncClient) -> None:
    response = await legacy.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.anyio
async def test_gateway_fixed_flags_known_path_wrong_method_answers_405(legacy: httpx.AsyncClient) -> None:
    response = await legacy.patch("/v1/models")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.anyio
async def test_gateway_fixed_flags_dispatches_to_each_api(legacy: httpx.AsyncClient) -> None:
    assert (await legacy.get("/v1/health")).json() == {"status": "OK"}
    assert (await legacy.get("/v1/models/echo")).json()["id"] == "echo"
    assert (await legacy.get("/v1/files")).json()["object"] == "list"


@pytest.mark.anyio
async def test_gateway_fixed_flags_openapi_merges_every_api(legacy: httpx.AsyncClient) -> None:
    document = (await legacy.get("/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    for path in ("/v1/models", "/v1/models/{model_id}", "/v1/files", "/v1/batches", "/v1/chat/completions"):
        assert path in paths
    assert paths["/v1/openai/v1/models"]["get"]["deprecated"] is True
    assert "Model" in document["components"]["schemas"]


@pytest.mark.anyio
async def test_gateway_fixed_flags_docs_page_points_at_the_document(legacy: httpx.AsyncClient) -> None:
    response = await legacy.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


@pytest.mark.anyio
async def test_gateway_default_migrated_keeps_apis_without_a_router_on_legacy(tmp_path: Path) -> None:
    async for client in _client(tmp_path, "migrated", unmigrated_apis.registry):
        providers = await client.get("/v1/providers")
        models = await client.get("/v1/models")
        assert (providers.status_code, providers.headers["x-gateway-backend"]) == (200, "legacy")
        assert (models.status_code, models.headers["x-gateway-backend"]) == (200, "migrated")


@pytest.mark.anyio
async def test_gateway_answers_unknown_paths_itself(legacy: httpx.AsyncClient) -> None:
    response = await legacy.get("/v2/anything")
    assert response.headers["x-gateway-backend"] == "gateway"


@pytest.mark.anyio
async def test_gateway_echoes_the_incoming_request_id(legacy: httpx.AsyncClient) -> None:
    response = await legacy.get("/v1/health", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["x-gateway-backend"] == "legacy"


@pytest.mark.anyio
async def test_gateway_makes_a_request_id_when_none_is_sent(legacy: httpx.AsyncClient) -> None:
    first = (await legacy.get("/v1/health")).headers["x-request-id"]
    second = (await legacy.get("/v1/health")).headers["x-request-id"]
    assert len(first) == 32 and first != second


@pytest.mark.anyio
async def test_gateway_logs_one_request_line_with_the_spec_keys(legacy: httpx.AsyncClient) -> None:
    with captured_logs() as logs:
        await legacy.get("/v1/models/team/x", headers={"x-request-id": "rid-1"})
    lines = [entry for entry in logs if entry["event"] == "request"]
    assert len(lines) == 1
    line = lines[0]
    assert {k: line[k] for k in ("method", "path", "status", "reason", "pid")} == {
        "method": "GET",
        "path": "/v1/models/team/x",
        "status": 404,
        "reason": "default",
        "pid": os.getpid(),
    }
    assert isinstance(line["duration_ms"], float)


@pytest.mark.anyio
async def test_gateway_everything_logged_during_a_request_carries_its_context(legacy: httpx.AsyncClient) -> None:
    with captured_logs() as logs:
        await legacy.get("/v1/models/team/x", headers={"x-request-id": "rid-2"})
    bound = {"request_id": "rid-2", "api": "models", "route": "/v1/models/{model_id:path}", "backend": "legacy"}
    assert [entry["event"] for entry in logs] == ["endpoint_error", "request"]
    assert all({key: entry.get(key) for key in bound} == bound for entry in logs)


@pytest.mark.anyio
async def test_gateway_encoded_slash_in_a_path_parameter_reaches_the_route(legacy: httpx.AsyncClient) -> None:
    await legacy.post("/v1/models", json={"model_id": "team/fast"})
    response = await legacy.get("/v1/models/team%2Ffast")
    assert response.status_code == 200
    assert response.json()["id"] == "team/fast"
