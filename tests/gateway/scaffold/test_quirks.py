"""Protocols beyond the example APIs scaffolded: their routers answer each request as the legacy routes do.

The adapter tests' toy protocol has every quirk of the old server: a PATCH and a PUT served
as POST, a POST and a GET returning None (200 `null`), a top-level `stream` argument, a
stream failing after its first item, a `{path:path}` parameter, a multipart upload, the
request context, the v1alpha and v1beta levels. The edges protocol says more about its
parameters than where they are read (Body constraints, metadata beside a marker). The team's
ledger brings its own conventions (error classes, context hook, result hook, middleware),
which the scaffolded router keeps as its legacy twin does.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from gateway import ApiRegistry
from gateway.app import GatewayApp
from gateway.cli import app
from gateway.contract import Level, diff_documents
from gateway.flags import FlagFile
from gateway.settings import ServerSettings
from http_conventions import create_router_app
from legacy_adapter import create_legacy_app
from tests.gateway.scaffold import team_apis
from tests.gateway.scaffold.edges_api import EdgesApi, EdgesImpl
from tests.legacy_adapter.toy_api import WidgetsApi, WidgetsImpl
from tests.team_api.middleware import CLIENT_VERSION_HEADER
from tests.team_api.registry import CONVENTIONS, open_ledger
from tests.team_api.service import TENANT_HEADER

runner = CliRunner()
WIDGETS: list[dict[str, Any]] = [
    {"method": "GET", "url": "/v1/widgets", "params": {"color": "red", "order": "desc", "limit": 2}},
    {"method": "GET", "url": "/v1/widgets", "params": {"limit": "many", "color": "green"}},
    {"method": "GET", "url": "/v1/widgets/w1"},
    {"method": "GET", "url": "/v1/legacy/widgets/w1"},
    {"method": "POST", "url": "/v1/widgets", "json": {"name": "a", "size": 2, "tags": ["x"]}},
    {"method": "POST", "url": "/v1/widgets", "json": {}},
    {"method": "POST", "url": "/v1/widgets"},
    {"method": "POST", "url": "/v1/widgets", "json": [1]},
    {"method": "POST", "url": "/v1/widgets/w1", "json": {"size": 3}},
    {"method": "PUT", "url": "/v1/widgets/w1", "json": {"size": 3}},
    {"method": "POST", "url": "/v1/widgets/w1/name", "json": {"name": "b"}},
    {"method": "DELETE", "url": "/v1/widgets/w1"},
    {"method": "POST", "url": "/v1/widgets/w1/touch"},
    {"method": "GET", "url": "/v1/widgets/w1/lookup"},
    {"method": "GET", "url": "/v1/files/a/b%2Fc.txt"},
    {"method": "POST", "url": "/v1/files", "files": {"file": ("a.txt", b"hi")}, "data": {"purpose": "batch"}},
    {"method": "POST", "url": "/v1/files", "data": {"purpose": "batch"}},
    {"method": "POST", "url": "/v1/chat", "json": {"prompt": "hi", "count": 2}},
    {"method": "POST", "url": "/v1/chat", "json": {"prompt": "hi", "count": 3, "stream": True}},
    {"method": "POST", "url": "/v1/chat", "json": {"prompt": "hi", "count": 3, "fail_after": 1, "stream": True}},
    {"method": "POST", "url": "/v1/completions", "json": {"prompt": "hi", "stream": True}},
    {"method": "POST", "url": "/v1/completions", "json": {"prompt": "hi"}},
    {"method": "GET", "url": "/v1/context", "headers": {"X-Provider-Data": '{"team": "blue"}'}},
    {"method": "GET", "url": "/v1alpha/experimental/widgets"},
    {"method": "GET", "url": "/v1beta/preview/widgets"},
]
EDGES: list[dict[str, Any]] = [
    {"method": "POST", "url": "/v1/edges", "json": {"name": "a"}},
    {"method": "POST", "url": "/v1/edges", "json": {"name": "a", "weight": 2, "note": "short"}},
    {"method": "POST", "url": "/v1/edges", "json": {"name": "", "weight": -1, "note": "far too long a note"}},
    {"method": "GET", "url": "/v1/edges", "params": {"limit": 2, "prefix": "ab"}},
    {"method": "GET", "url": "/v1/edges", "params": {"limit": 6, "prefix": "abcd"}},
]


@pytest.fixture
def scaffolded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ModuleType]]:
    """Scaffold an API (of tests.gateway.scaffold.toy_apis unless named) into a fresh package; its routes module."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def scaffold(api: str, apis: str = "tests.gateway.scaffold.toy_apis") -> ModuleType:
        package = tmp_path / f"scaffolded_{api}"
        package.mkdir()
        (package / "__init__.py").touch()
        arguments = ["scaffold", api, "--apis", apis, "--out", str(package)]
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0, result.output
        return importlib.import_module(f"{package.name}.routes")

    yield scaffold
    for name in [name for name in sys.modules if name.startswith("scaffolded_")]:
        del sys.modules[name]


async def _answers(served: Any, requests: list[dict[str, Any]]) -> list[tuple[int, str | None, Any]]:
    answers = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(served), base_url="http://toy") as client:
        for request in requests:
            response = await client.request(**request)
            text = response.text
            body = json.loads(text) if response.headers.get("content-type") == "application/json" else text
            answers.append((response.status_code, response.headers.get("content-type"), body))
    return answers


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("api", "protocol", "implementation", "requests"),
    [
        pytest.param("widgets", WidgetsApi, WidgetsImpl, WIDGETS, id="widgets"),
        pytest.param("edges", EdgesApi, EdgesImpl, EDGES, id="edges"),
    ],
)
async def test_scaffolded_router_answers_each_request_as_the_legacy_routes(
    scaffolded: Callable[..., ModuleType],
    api: str,
    protocol: type,
    implementation: Callable[[], object],
    requests: list[dict[str, Any]],
) -> None:
    legacy = create_legacy_app(protocol, implementation())
    router = create_router_app(scaffolded(api).create_router(), implementation(), title=f"{api} (scaffolded)")

    expected, answered = await _answers(legacy, requests), await _answers(router, requests)

    differing = [(r, want, got) for r, want, got in zip(requests, expected, answered, strict=True) if want != got]
    assert not differing, "\n".join(f"{r['method']} {r['url']}: legacy {w} | router {g}" for r, w, g in differing)
    assert len({status for status, _, _ in expected}) > 1
    findings = diff_documents(api, legacy.openapi(), router.openapi())
    assert not [finding for finding in findings if finding.level is Level.ERR], findings


@pytest.mark.anyio
async def test_scaffolded_request_model_keeps_body_constraints_and_whole_descriptions(
    scaffolded: Callable[..., ModuleType],
) -> None:
    legacy = create_legacy_app(EdgesApi, EdgesImpl()).openapi()
    router = create_router_app(scaffolded("edges").create_router(), EdgesImpl(), title="edges").openapi()

    def body_fields(document: dict[str, Any]) -> dict[str, Any]:
        schema = document["paths"]["/v1/edges"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        fields: dict[str, Any] = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]["properties"]
        return fields

    legacy_fields, router_fields = body_fields(legacy), body_fields(router)
    assert router_fields["weight"]["minimum"] == 0 and router_fields["weight"]["default"] == 5
    assert router_fields["weight"]["description"] == legacy_fields["weight"]["description"]
    assert legacy_fields["weight"]["description"].endswith("before weights existed.")
    assert router_fields["name"]["minLength"] == 1


LEDGER: list[dict[str, Any]] = [
    {"method": "POST", "url": "/v1/ledger/entries", "json": {"entry_id": "e1", "amount": 5}},
    {"method": "POST", "url": "/v1/ledger/entries", "json": {"entry_id": "e1", "amount": 6}},
    {"method": "GET", "url": "/v1/ledger/entries/e1", "headers": {TENANT_HEADER: "blue"}},
    {"method": "GET", "url": "/v1/ledger/entries/nope"},
    {"method": "GET", "url": "/v1/ledger/entries"},
    {"method": "GET", "url": "/v1/ledger/entries", "headers": {CLIENT_VERSION_HEADER: "1"}},
    {
        "method": "POST",
        "url": "/v1/ledger/ticks",
        "json": {"count": 2, "stream": True},
        "headers": {TENANT_HEADER: "red"},
    },
]


@pytest.mark.anyio
async def test_scaffolded_router_keeps_the_teams_conventions(
    scaffolded: Callable[..., ModuleType], tmp_path: Path
) -> None:
    routes = scaffolded("ledger", "tests.gateway.scaffold.team_apis")
    registry = ApiRegistry(conventions=CONVENTIONS)
    registry.register_api(
        "ledger",
        implementation=open_ledger,
        legacy=team_apis.registry["ledger"].legacy,
        migrated=lambda implementation, context: create_router_app(routes.create_router(), implementation, title="l"),
    )
    answers = {}
    for side in ("legacy", "migrated"):
        gateway = GatewayApp(registry, ServerSettings(data_dir=tmp_path / side), flags=FlagFile(default=side))
        async with gateway.running():
            answers[side] = await _answers(gateway, LEDGER)

    assert answers["migrated"] == answers["legacy"]
    statuses = [status for status, _, _ in answers["legacy"]]
    # The team's error table (409 clash, 404 missing) and middleware (426), not the built-in answers.
    assert statuses == [200, 409, 200, 404, 200, 426, 200]
    assert answers["legacy"][4][2]["url"] == "/v1/ledger/entries"
    assert '"tenant":"red"' in answers["legacy"][6][2]
