"""The providers API (legacy only: not migrated yet) served by the legacy adapter."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.apis.steps import serve_legacy
from tests.postgres_server import PASSWORD, PostgresServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def client(shared_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """One server for the module: these tests change no state that another test reads."""
    return shared_client


APIS = ["models", "files", "batches", "inference", "inspect", "providers"]


async def test_providers_list_has_one_provider_per_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/providers")

    assert response.status_code == 200
    assert set(response.json()) == {"data"}
    providers = response.json()["data"]
    assert sorted(provider["api"] for provider in providers) == sorted(APIS)
    for provider in providers:
        assert set(provider) == {"api", "provider_id", "provider_type", "config"}
        assert isinstance(provider["config"], dict)
        assert provider["provider_type"].startswith("inline::")


async def test_providers_config_points_at_the_data_directory(client: httpx.AsyncClient, shared_data_dir: Path) -> None:
    providers = {p["api"]: p for p in (await client.get("/v1/providers")).json()["data"]}

    assert providers["models"]["config"] == {"db_path": str(shared_data_dir / "state.db")}
    assert providers["files"]["config"] == {
        "storage_dir": str(shared_data_dir / "files"),
        "db_path": str(shared_data_dir / "state.db"),
    }
    assert providers["inference"]["config"] == {"models": ["echo", "lorem", "slow-echo"]}


@pytest.mark.parametrize(
    ("provider_id", "api"),
    [
        pytest.param("sqlite", "models", id="sqlite"),
        pytest.param("localfs", "files", id="localfs"),
        pytest.param("reference", "batches", id="reference"),
        pytest.param("builtin-models", "inference", id="builtin-models"),
        pytest.param("inspect", "inspect", id="inspect"),
        pytest.param("providers", "providers", id="providers"),
    ],
)
async def test_providers_get_by_id_returns_the_listed_provider(
    client: httpx.AsyncClient, provider_id: str, api: str
) -> None:
    listed = [p for p in (await client.get("/v1/providers")).json()["data"] if p["api"] == api]

    response = await client.get(f"/v1/providers/{provider_id}")

    assert response.status_code == 200
    assert [response.json()] == listed


async def test_providers_get_unknown_id_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/providers/remote-vllm")

    assert response.status_code == 404
    assert response.json() == {"detail": "Provider 'remote-vllm' not found"}


async def test_providers_on_postgresql_name_its_url_without_the_password(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    database = postgres_server.create_database()
    async with serve_legacy(tmp_path, database=database) as client:
        providers = {p["api"]: p for p in (await client.get("/v1/providers")).json()["data"]}

    shown = {"url": database.replace(PASSWORD, "***")}
    assert [(providers[api]["provider_type"], providers[api]["config"]) for api in ("models", "files", "batches")] == [
        ("remote::postgres", shown),
        ("remote::postgres", shown),
        ("inline::reference", shown),
    ]
