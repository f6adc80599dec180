from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

import apis
from gateway.app import GatewayApp
from gateway.reload import FlagsWatcher
from gateway.settings import ServerSettings
from tests.gateway import renamed_parameter_api, unmigrated_apis
from tests.gateway.contract import drifting_api

SPEC_ROUTES = [
    ("get", "/v1/models"),
    ("get", "/v1/models/{model_id}"),
    ("post", "/v1/models"),
    ("post", "/v1/models/{model_id}"),
    ("delete", "/v1/models/{model_id}"),
    ("post", "/v1/files"),
    ("get", "/v1/files"),
    ("get", "/v1/files/{file_id}"),
    ("delete", "/v1/files/{file_id}"),
    ("get", "/v1/files/{file_id}/content"),
    ("post", "/v1/batches"),
    ("get", "/v1/batches/{batch_id}"),
    ("post", "/v1/batches/{batch_id}/cancel"),
    ("get", "/v1/batches"),
    ("post", "/v1/chat/completions"),
    ("get", "/v1/health"),
    ("get", "/v1/version"),
    ("get", "/v1/inspect/routes"),
    ("get", "/v1/providers"),
    ("get", "/v1/providers/{provider_id}"),
]


async def _serve(app: GatewayApp) -> AsyncIterator[httpx.AsyncClient]:
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
def flags_file(tmp_path: Path) -> Path:
    path = tmp_path / "migration.yaml"
    path.write_text("default: legacy\napis:\n  models: migrated\n")
    return path


def _watcher(app: GatewayApp, flags_file: Path) -> FlagsWatcher:
    """A watcher over the running gateway's flags: `check()` does at once what its own poll does within a second."""
    return FlagsWatcher(flags_file, app.runtime.routes, app.runtime.flags)


@pytest.fixture
async def gateway(tmp_path: Path, flags_file: Path) -> AsyncIterator[tuple[httpx.AsyncClient, FlagsWatcher]]:
    # One API still waits for its router, as in every real migration.
    app = GatewayApp(unmigrated_apis.registry, ServerSettings(data_dir=tmp_path / "data"), flags=flags_file)
    async for client in _serve(app):
        yield client, _watcher(app, flags_file)


@pytest.fixture
def client(gateway: tuple[httpx.AsyncClient, FlagsWatcher]) -> httpx.AsyncClient:
    return gateway[0]


@pytest.fixture
def watcher(gateway: tuple[httpx.AsyncClient, FlagsWatcher]) -> FlagsWatcher:
    return gateway[1]


@pytest.mark.anyio
async def test_status_counts_requests_per_route_and_backend(client: httpx.AsyncClient, flags_file: Path) -> None:
    for _ in range(3):
        await client.get("/v1/models")
    await client.get("/v1/models/nope")
    await client.get("/v1/health")
    status = (await client.get("/_gateway/status")).json()
    assert status["flags"]["path"] == str(flags_file)
    assert status["flags"]["error"] is None and status["flags"]["rejected_at"] is None
    assert status["flags"]["loaded_at"].endswith("Z")
    assert status["default"] == "legacy"
    assert status["workers"] == 1
    models = status["apis"]["models"]
    assert (models["mode"], models["has_router"]) == ("migrated", True)
    listing = models["routes"]["GET /v1/models"]
    assert (listing["backend"], listing["reason"]) == ("migrated", "api")
    assert listing["stats"]["migrated"]["requests"] == 3
    assert listing["stats"]["migrated"]["p50_ms"] > 0
    assert listing["stats"]["legacy"] == {
        "requests": 0,
        "4xx": 0,
        "5xx": 0,
        "p50_ms": None,
        "p95_ms": None,
        "p99_ms": None,
    }
    assert models["routes"]["GET /v1/models/{model_id:path}"]["stats"]["migrated"]["4xx"] == 1
    assert status["apis"]["inspect"]["routes"]["GET /v1/health"]["stats"]["legacy"]["requests"] == 1
    assert status["apis"]["providers"]["has_router"] is False


@pytest.mark.anyio
async def test_status_shows_a_rejected_file_until_a_good_one_loads(
    client: httpx.AsyncClient, watcher: FlagsWatcher, flags_file: Path
) -> None:
    flags_file.write_text("apis:\n  models: sideways\n")
    watcher.check()
    rejected = (await client.get("/_gateway/status")).json()["flags"]
    assert "unknown mode 'sideways'" in rejected["error"]
    assert rejected["rejected_at"].endswith("Z")
    flags_file.write_text("default: legacy\n")
    watcher.check()
    status = (await client.get("/_gateway/status")).json()
    assert status["flags"]["error"] is None and status["flags"]["rejected_at"] is None
    assert status["apis"]["models"]["mode"] == "legacy"


@pytest.mark.anyio
async def test_routes_endpoint_lists_every_route_with_its_sides(client: httpx.AsyncClient) -> None:
    routes = {(r["method"], r["template"]): r for r in (await client.get("/_gateway/routes")).json()["data"]}
    assert routes[("GET", "/v1/openai/v1/models")]["deprecated"] is True
    assert routes[("POST", "/v1alpha/inference/chat-completion")]["level"] == "v1alpha"
    assert routes[("GET", "/v1/providers")] == {
        "method": "GET",
        "template": "/v1/providers",
        "api": "providers",
        "level": "v1",
        "deprecated": False,
        "legacy": True,
        "migrated": False,
        "backend": "legacy",
        "reason": "default",
    }
    assert routes[("GET", "/v1/models")]["backend"] == "migrated"


@pytest.mark.anyio
async def test_metrics_count_requests_and_show_the_backend_in_force(client: httpx.AsyncClient) -> None:
    await client.get("/v1/models")
    await client.get("/v1/models")
    await client.get("/nowhere")
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'gateway_requests_total{api="models",backend="migrated",method="GET",route="/v1/models",status_class="2xx"} 2.0'
        in text
    )
    assert 'backend="gateway",method="GET",route="(unmatched)",status_class="4xx"} 1.0' in text
    assert 'gateway_request_duration_seconds_bucket{api="models",backend="migrated"' in text
    assert 'gateway_route_backend{api="models",backend="migrated",method="GET",route="/v1/models"} 1.0' in text
    assert 'gateway_route_backend{api="models",backend="legacy",method="GET",route="/v1/models"} 0.0' in text


@pytest.mark.anyio
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_admin_endpoints_are_read_only(client: httpx.AsyncClient, method: str) -> None:
    for path in ("/_gateway/status", "/_gateway/routes", "/metrics"):
        assert (await client.request(method, path)).status_code == 405


@pytest.mark.anyio
async def test_admin_off_hides_the_admin_paths(tmp_path: Path, flags_file: Path) -> None:
    settings = ServerSettings(data_dir=tmp_path / "data", admin="off")
    async for client in _serve(GatewayApp(apis.registry, settings, flags=flags_file)):
        for path in ("/_gateway/status", "/_gateway/routes", "/metrics"):
            response = await client.get(path)
            assert (response.status_code, response.headers["x-gateway-backend"]) == (404, "gateway")


@pytest.mark.anyio
async def test_openapi_is_one_valid_document_with_every_spec_route(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    validate(document)
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert set(SPEC_ROUTES) <= operations


@pytest.mark.anyio
async def test_openapi_operations_follow_a_flip(
    client: httpx.AsyncClient, watcher: FlagsWatcher, flags_file: Path
) -> None:
    before = (await client.get("/openapi.json")).json()
    # Migrated operations carry their router's tags; the adapter's do not.
    assert before["paths"]["/v1/models"]["get"]["tags"] == ["models"]
    assert "tags" not in before["paths"]["/v1/files"]["get"]
    flags_file.write_text("default: legacy\napis:\n  files: migrated\n")
    watcher.check()
    after = (await client.get("/openapi.json")).json()
    assert "tags" not in after["paths"]["/v1/models"]["get"]
    assert after["paths"]["/v1/files"]["get"]["tags"] == ["files"]


@pytest.mark.anyio
async def test_status_names_the_routes_a_partial_migration_leaves_on_legacy(tmp_path: Path) -> None:
    flags_file = tmp_path / "flags.yaml"
    flags_file.write_text("default: legacy\napis:\n  things: migrated\n")
    app = GatewayApp(renamed_parameter_api.registry, ServerSettings(data_dir=tmp_path / "data"), flags=flags_file)
    async for client in _serve(app):
        watcher = _watcher(app, flags_file)
        response = await client.get("/v1/things/abc")
        assert (response.json(), response.headers["x-gateway-backend"]) == ({"id": "abc"}, "legacy")
        things = (await client.get("/_gateway/status")).json()["apis"]["things"]
        assert things["legacy_only_routes"] == [
            {"route": renamed_parameter_api.RENAMED, "closest_migrated": renamed_parameter_api.TWIN}
        ]
        assert things["routes"][renamed_parameter_api.RENAMED]["backend"] == "legacy"

        flags_file.write_text("default: legacy\napis:\n  things: legacy\n")
        watcher.check()
        assert (await client.get("/_gateway/status")).json()["apis"]["things"]["legacy_only_routes"] == []


@pytest.mark.anyio
async def test_status_has_no_legacy_only_routes_for_the_example_apis(client: httpx.AsyncClient) -> None:
    status = (await client.get("/_gateway/status")).json()
    assert {api: entry["legacy_only_routes"] for api, entry in status["apis"].items()} == dict.fromkeys(
        status["apis"], []
    )


@pytest.mark.anyio
async def test_status_counts_each_apis_contract_findings_before_a_flip(tmp_path: Path) -> None:
    flags_file = tmp_path / "flags.yaml"
    flags_file.write_text("default: legacy\n")
    app = GatewayApp(drifting_api.registry, ServerSettings(data_dir=tmp_path / "data"), flags=flags_file)
    async for client in _serve(app):
        widgets = (await client.get("/_gateway/status")).json()["apis"]["widgets"]
        assert widgets["contract"] == {"err": 21, "warn": 3}


@pytest.mark.anyio
async def test_status_contract_of_the_example_apis_has_no_errors(client: httpx.AsyncClient) -> None:
    status = (await client.get("/_gateway/status")).json()
    contract = {api: entry["contract"] for api, entry in status["apis"].items()}
    assert contract.pop("providers") is None
    assert contract == dict.fromkeys(contract, {"err": 0, "warn": 0})
