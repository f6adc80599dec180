from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import apis
from gateway.admin_access import admin_placement, is_loopback
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.settings import ServerSettings
from tests.captured_logs import captured_logs

TOKEN = "admin-s3cret"
# Decoded, each of these is an admin path: the raw spelling must not get around a check.
ADMIN_PATHS = [
    "/_gateway/status",
    "/_gateway/ui",
    "/_gateway/ui/page.js",
    "/_gateway/ui/live",
    "/%5Fgateway/status",
    "/%5fgateway/routes",
    "/%6Detrics",
]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        pytest.param("127.0.0.1", True, id="ipv4-loopback"),
        pytest.param("127.0.0.2", True, id="ipv4-loopback-range"),
        pytest.param("::1", True, id="ipv6-loopback"),
        pytest.param("[::1]", True, id="ipv6-loopback-bracketed"),
        pytest.param("localhost", True, id="localhost"),
        pytest.param("0.0.0.0", False, id="every-ipv4-interface"),
        pytest.param("::", False, id="every-ipv6-interface"),
        pytest.param("192.0.2.2", False, id="an-interface"),
        pytest.param("gateway.internal", False, id="a-host-name"),
    ],
)
def test_is_loopback_only_for_addresses_no_other_machine_reaches(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("settings", "placement"),
    [
        pytest.param({}, "main", id="loopback-default"),
        pytest.param({"host": "0.0.0.0"}, "nowhere", id="public-host-refused"),
        pytest.param({"host": "0.0.0.0", "admin_token": TOKEN}, "main", id="public-host-with-token"),
        pytest.param({"host": "0.0.0.0", "admin_port": 9100}, "port", id="public-host-own-port"),
        pytest.param({"admin_port": 9100, "admin_token": TOKEN}, "port", id="own-port-with-token"),
        pytest.param({"admin": "off", "admin_token": TOKEN}, "nowhere", id="off"),
    ],
)
def test_admin_placement_follows_the_listener_address(settings: dict[str, Any], placement: str) -> None:
    assert admin_placement(ServerSettings(**settings)) == placement


@asynccontextmanager
async def _client(tmp_path: Path, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path, **settings), flags=FlagFile())
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.mark.anyio
async def test_admin_on_a_public_host_without_token_is_not_served(tmp_path: Path) -> None:
    with captured_logs() as logs:
        async with _client(tmp_path, host="0.0.0.0") as client:
            for path in ADMIN_PATHS:
                response = await client.get(path)
                assert (response.status_code, response.headers["x-gateway-backend"]) == (404, "gateway"), path
    warning = next(line for line in logs if line["event"] == "admin_not_served")
    assert "--admin-port PORT or --admin-token TOKEN" in warning["hint"]


@pytest.mark.anyio
@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1"])
async def test_admin_token_is_needed_on_every_admin_path(tmp_path: Path, host: str) -> None:
    async with _client(tmp_path, host=host, admin_token=TOKEN) as client:
        for path in ADMIN_PATHS:
            anonymous = await client.get(path)
            wrong = await client.get(path, headers={"authorization": "Bearer admin-s3cre"})
            right = await client.get(path, headers={"authorization": f"Bearer {TOKEN}"})
            assert (anonymous.status_code, wrong.status_code, right.status_code) == (401, 401, 200), path
            assert anonymous.json()["error"]["message"].startswith("Authentication required")
            assert wrong.json() == {"error": {"message": "Invalid token: the server does not know it."}}


@pytest.mark.anyio
async def test_admin_token_does_not_guard_the_apis(tmp_path: Path) -> None:
    async with _client(tmp_path, host="0.0.0.0", admin_token=TOKEN) as client:
        assert (await client.get("/v1/models")).status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("settings", "status_answer"),
    [
        pytest.param({"host": "0.0.0.0"}, 404, id="admin-not-served-here"),
        pytest.param({"host": "0.0.0.0", "admin_token": TOKEN}, 401, id="admin-token"),
        pytest.param({"admin": "off"}, 404, id="admin-off"),
    ],
)
async def test_health_answers_a_probe_without_token_wherever_the_gateway_listens(
    tmp_path: Path, settings: dict[str, Any], status_answer: int
) -> None:
    async with _client(tmp_path, **settings) as client:
        for path in ("/_gateway/health", "/%5Fgateway/health"):
            response = await client.get(path)
            assert (response.status_code, response.json()) == (200, {"status": "ok"}), path
        # The rest of the admin surface keeps its rule.
        assert (await client.get("/_gateway/status")).status_code == status_answer
