"""The gateway enforces each route's requirement the same whichever side serves it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import structlog.testing
from starlette.requests import Request

import apis
from gateway.app import GatewayApp
from gateway.exceptions import AuthMismatchError
from gateway.flags import ApiFlags, FlagFile
from gateway.registry import ApiRegistry
from gateway.settings import ServerSettings
from tests.captured_logs import captured_logs
from tests.gateway import auth_apis

pytestmark = pytest.mark.anyio

TOKENS = """\
tokens:
  reader-token:
    user: rita
  writer-token:
    user: walt
    scopes: [models:write, things:admin]
"""
CREDENTIALS: dict[str, dict[str, str]] = {
    "anonymous": {},
    "malformed": {"authorization": "Basic d2FsdDpzZWNyZXQ="},
    "bogus": {"authorization": "Bearer not-a-known-token"},
    "reader": {"authorization": "Bearer reader-token"},
    "writer": {"authorization": "Bearer writer-token"},
}
FLAGS = {
    "all-legacy": FlagFile(default="legacy"),
    "all-migrated": FlagFile(default="migrated"),
    "mixed": FlagFile(
        default="legacy",
        apis={
            "models": "migrated",
            "inference": "migrated",
            "batches": ApiFlags(mode="migrated", routes={"POST /v1/batches/{batch_id}/cancel": "legacy"}),
        },
    ),
}
PUBLIC_ROUTES = {"GET /v1/health", "GET /v1/version"}
MODELS_WRITE_ROUTES = {"POST /v1/models", "POST /v1/models/{model_id:path}", "DELETE /v1/models/{model_id:path}"}


def _tokens_file(tmp_path: Path) -> str:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "tokens.yaml"
    path.write_text(TOKENS)
    return str(path)


@asynccontextmanager
async def _gateway(
    tmp_path: Path, flags: FlagFile, *, registry: ApiRegistry = apis.registry, auth: str | None = None
) -> AsyncIterator[tuple[GatewayApp, httpx.AsyncClient]]:
    settings = ServerSettings(data_dir=tmp_path / "data", auth=auth)
    app = GatewayApp(registry, settings, flags=flags)
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


async def _status_matrix(tmp_path: Path, flags: FlagFile) -> dict[tuple[str, str], int]:
    """The status of every route of the example APIs, with every kind of credentials."""
    statuses: dict[tuple[str, str], int] = {}
    async with _gateway(tmp_path, flags, auth=_tokens_file(tmp_path)) as (app, client):
        for route in app.runtime.routes:
            path = re.sub(r"{[^}]+}", "nobody", route.template)
            for name, headers in CREDENTIALS.items():
                response = await client.request(route.method, path, headers=headers)
                statuses[(route.key, name)] = response.status_code
    return statuses


@pytest.fixture(scope="module")
def legacy_statuses(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], int]:
    return anyio.run(_status_matrix, tmp_path_factory.mktemp("all-legacy"), FLAGS["all-legacy"])


def _expected_refusal(route_key: str, credentials: str) -> int | None:
    if route_key in PUBLIC_ROUTES:
        return None
    if credentials in ("anonymous", "malformed", "bogus"):
        return 401
    if credentials == "reader" and route_key in MODELS_WRITE_ROUTES:
        return 403
    return None


@pytest.mark.parametrize("flags", [pytest.param(name, id=name) for name in FLAGS])
async def test_auth_same_request_same_status_whichever_side_serves(
    tmp_path: Path, flags: str, legacy_statuses: dict[tuple[str, str], int]
) -> None:
    statuses = legacy_statuses if flags == "all-legacy" else await _status_matrix(tmp_path, FLAGS[flags])
    assert len({route for route, _ in statuses}) == 22
    for (route, credentials), status in statuses.items():
        expected = _expected_refusal(route, credentials)
        if expected is None:
            assert status not in (401, 403), (route, credentials, status)
        else:
            assert status == expected, (route, credentials, status)
    differences = {
        key: (legacy_statuses[key], status) for key, status in statuses.items() if legacy_statuses[key] != status
    }
    assert not differences, f"{flags} answers otherwise than all-legacy: {differences}"


@pytest.mark.parametrize(
    ("headers", "status", "message", "challenge"),
    [
        pytest.param({}, 401, "Authentication required", "Bearer", id="anonymous"),
        pytest.param(
            {"authorization": "Bearer nope"}, 401, "Invalid token", 'Bearer error="invalid_token"', id="unknown"
        ),
        pytest.param(
            {"authorization": "Bearer reader-token"},
            403,
            "needs the scope 'models:write'",
            'Bearer error="insufficient_scope", scope="models:write"',
            id="missing-scope",
        ),
    ],
)
async def test_auth_refusal_body_is_the_old_servers(
    tmp_path: Path, headers: dict[str, str], status: int, message: str, challenge: str
) -> None:
    async with _gateway(tmp_path, FLAGS["mixed"], auth=_tokens_file(tmp_path)) as (_, client):
        response = await client.delete("/v1/models/echo", headers=headers)
    assert response.status_code == status
    assert list(response.json()) == ["error"] and list(response.json()["error"]) == ["message"]
    assert message in response.json()["error"]["message"]
    assert response.headers["www-authenticate"] == challenge
    assert response.headers["x-gateway-backend"] == "migrated"


@pytest.mark.parametrize("side", ["legacy", "migrated"])
async def test_auth_user_is_the_request_contexts_user_on_both_sides(tmp_path: Path, side: str) -> None:
    # The request line carries the user through structlog's context variables.
    capture = structlog.testing.LogCapture()
    structlog.configure(processors=[structlog.contextvars.merge_contextvars, capture])
    flags = FlagFile(default=side)  # type: ignore[arg-type]
    async with _gateway(tmp_path, flags, registry=auth_apis.registry, auth=_tokens_file(tmp_path)) as (_, client):
        whoami = await client.get("/v1/whoami", headers=CREDENTIALS["reader"])
        stream = await client.post("/v1/whoami/stream", json={"stream": True}, headers=CREDENTIALS["writer"])
        anonymous_open = await client.get("/v1/open")
        scoped = await client.delete("/v1/admin-only", headers=CREDENTIALS["writer"])
    assert (whoami.status_code, whoami.json()) == (200, {"user": "rita"})
    events = [json.loads(line.removeprefix("data: ")) for line in stream.text.split("\n\n") if line]
    assert events == [{"user": "walt"}, {"user": "walt"}]
    # A public route runs without a user, as the old server's did.
    assert anonymous_open.json() == {"user": None}
    assert scoped.json() == {"user": "walt"}
    request_lines = [line for line in capture.entries if line["event"] == "request"]
    assert [(line["backend"], line.get("user")) for line in request_lines] == [
        (side, "rita"),
        (side, "walt"),
        (side, None),
        (side, "walt"),
    ]


async def test_auth_sides_that_disagree_stop_start_up_naming_the_route(tmp_path: Path) -> None:
    with pytest.raises(AuthMismatchError, match=r"GET /v1/open \(whoami\): legacy: public / migrated: authenticated"):
        async with _gateway(tmp_path, FlagFile(), registry=auth_apis.mismatched, auth=_tokens_file(tmp_path)):
            pass


async def test_auth_off_warns_at_start_up_and_about_sides_that_disagree(tmp_path: Path) -> None:
    with captured_logs() as logs:
        async with _gateway(tmp_path, FlagFile(default="migrated"), registry=auth_apis.mismatched) as (_, client):
            # Nothing is enforced: the migrated side answers an anonymous caller.
            assert (await client.get("/v1/open")).status_code == 200
            assert (await client.delete("/v1/admin-only")).status_code == 200
    warnings = [line for line in logs if line["log_level"] == "warning"]
    assert [line["event"] for line in warnings] == ["auth_disabled", "auth_requirement_mismatch"]
    assert (warnings[1]["route"], warnings[1]["legacy"], warnings[1]["migrated"]) == (
        "GET /v1/open",
        "public",
        "authenticated",
    )


def _raising_provider(token: str, request: Request) -> Any:
    raise RuntimeError("identity provider unreachable")


async def _async_provider(token: str, request: Request) -> Any:
    if token == "good":
        return {"user": f"ada from {request.client.host if request.client else '?'}", "scopes": ["things:admin"]}
    if token == "garbage":
        return "ada"
    return None


def _sync_provider(token: str, request: Request) -> Any:
    return {"user": "bob"} if token == "good" else None


@pytest.mark.parametrize(
    ("provider", "token", "status"),
    [
        pytest.param("_async_provider", "good", 200, id="async-accepts"),
        pytest.param("_async_provider", "other", 401, id="async-refuses"),
        pytest.param("_sync_provider", "good", 200, id="sync-accepts"),
        pytest.param("_sync_provider", "other", 401, id="sync-refuses"),
        pytest.param("_async_provider", "garbage", 503, id="returns-garbage"),
        pytest.param("_raising_provider", "good", 503, id="raises"),
    ],
)
async def test_auth_provider_callable_decides_and_failures_never_let_anyone_in(
    tmp_path: Path, provider: str, token: str, status: int
) -> None:
    spec = f"{__name__}:{provider}"
    with captured_logs() as logs:
        async with _gateway(tmp_path, FlagFile(), registry=auth_apis.registry, auth=spec) as (_, client):
            response = await client.get("/v1/whoami", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == status
    if status == 503:
        assert "authentication provider failed" in response.json()["error"]["message"]
        failure = next(line for line in logs if line["event"] == "auth_provider_failed")
        assert failure["exc_info"] is True and failure["log_level"] == "error"


async def test_auth_provider_is_not_asked_about_public_routes(tmp_path: Path) -> None:
    spec = f"{__name__}:_raising_provider"
    async with _gateway(tmp_path, FlagFile(), registry=auth_apis.registry, auth=spec) as (_, client):
        response = await client.get("/v1/open", headers={"authorization": "Bearer anything"})
    assert response.status_code == 200
