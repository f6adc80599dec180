"""The adapter tests' toy protocol scaffolded: every quirk of the old server answered the same by the router.

Beyond the example APIs: a PATCH and a PUT served as POST, a POST and a GET returning None
(200 `null`), a top-level `stream` argument, a stream failing after its first item, a
`{path:path}` parameter, a multipart upload, the request context, the v1alpha and v1beta levels.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.contract import Level, diff_documents
from http_conventions import create_router_app
from legacy_adapter import create_legacy_app
from tests.legacy_adapter.toy_api import WidgetsApi, WidgetsImpl

runner = CliRunner()
REQUESTS: list[dict[str, Any]] = [
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


@pytest.fixture
def routes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    package = tmp_path / "scaffolded_widgets"
    package.mkdir()
    (package / "__init__.py").touch()
    result = runner.invoke(
        app, ["scaffold", "widgets", "--apis", "tests.gateway.scaffold.toy_apis", "--out", str(package)]
    )
    assert result.exit_code == 0, result.output
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("scaffolded_widgets.routes")
    for name in [name for name in sys.modules if name.startswith("scaffolded_widgets")]:
        del sys.modules[name]


async def _answers(served: Any) -> list[tuple[int, str | None, Any]]:
    answers = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(served), base_url="http://toy") as client:
        for request in REQUESTS:
            response = await client.request(**request)
            text = response.text
            body = json.loads(text) if response.headers.get("content-type") == "application/json" else text
            answers.append((response.status_code, response.headers.get("content-type"), body))
    return answers


@pytest.mark.anyio
async def test_scaffolded_toy_router_answers_every_quirk_as_the_legacy_routes(routes: ModuleType) -> None:
    legacy = create_legacy_app(WidgetsApi, WidgetsImpl())
    router = create_router_app(routes.create_router(), WidgetsImpl(), title="widgets (scaffolded)")

    expected, answered = await _answers(legacy), await _answers(router)

    differing = [
        (request, want, got) for request, want, got in zip(REQUESTS, expected, answered, strict=True) if want != got
    ]
    assert not differing, "\n".join(f"{r['method']} {r['url']}: legacy {w} | router {g}" for r, w, g in differing)
    assert [status for status, _, _ in expected].count(204) == 1
    findings = diff_documents("widgets", legacy.openapi(), router.openapi())
    assert not [finding for finding in findings if finding.level is Level.ERR], findings
