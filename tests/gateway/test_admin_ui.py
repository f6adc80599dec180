from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import apis
from gateway.admin_ui import ui_routes
from gateway.app import GatewayApp
from gateway.settings import ServerSettings

pytestmark = pytest.mark.anyio

FLAGS = "default: legacy\napis:\n  models: migrated\n  files: shadow\n"


class RolloutTables(HTMLParser):
    """What a reader of the page sees without JavaScript: per API its mode, per route the texts of its cells."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.modes: dict[str, str] = {}
        self.rows: dict[str, dict[str, list[str]]] = {}
        self._api: str | None = None
        self._route: str | None = None
        self._text: list[str] | None = None
        self._in_mode = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section" and (api := attributes.get("data-api")):
            self._api = api
            self.rows[api] = {}
        elif tag == "span" and attributes.get("class") == "mode":
            self._in_mode = True
        elif tag == "tr" and (route := attributes.get("data-route")) and self._api:
            self._route = route
            self.rows[self._api][route] = []
        elif tag == "td" and self._route:
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._in_mode and self._api:
            self.modes[self._api] = data
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._in_mode = False
        elif tag == "td" and self._text is not None and self._api and self._route:
            self.rows[self._api][self._route].append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr":
            self._route = None


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    flags = tmp_path / "flags.yaml"
    flags.write_text(FLAGS)
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path / "data"), flags)
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_the_page_and_everything_it_loads_come_from_the_gateway(client: httpx.AsyncClient) -> None:
    page = await client.get("/_gateway/ui")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/_gateway/ui/page.js" in loaded and "/_gateway/ui/page.css" in loaded
    for url in loaded:
        if url.startswith("data:"):
            continue
        assert url.startswith("/"), url
        assert (await client.get(url)).status_code == 200, url
    script = (await client.get("/_gateway/ui/page.js")).text
    assert '"/_gateway/ui/live"' in script and "://" not in script


async def test_the_page_arrives_with_every_api_mode_route_and_count_of_the_status(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await client.get("/v1/models")).headers["x-gateway-backend"] == "migrated"
    assert (await client.get("/v1/files")).headers["x-gateway-backend"] == "legacy"
    status = (await client.get("/_gateway/status")).json()

    page = await client.get("/_gateway/ui")

    tables = RolloutTables(page.text)
    assert tables.modes == {name: api["mode"] for name, api in status["apis"].items()}
    for name, api in status["apis"].items():
        assert list(tables.rows[name]) == list(api["routes"])
        for key, route in api["routes"].items():
            cells = tables.rows[name][key]
            mode = route.get("mode", route["backend"])
            assert cells[0] == route["backend"] + (f" ({mode})" if mode != route["backend"] else ""), (key, cells)
            # Per side five figures (requests, 4xx, 5xx, p50, p99): legacy's, then migrated's.
            for offset, side in ((1, "legacy"), (6, "migrated")):
                stats = route["stats"][side]
                assert cells[offset : offset + 3] == [str(stats["requests"]), str(stats["4xx"]), str(stats["5xx"])]
    assert tables.rows["models"]["GET /v1/models"][6] == "3"
    assert tables.rows["files"]["GET /v1/files"][:2] == ["legacy (shadow)", "1"]
    assert status["flags"]["sha256"][:12] in page.text
    assert "Traffic share of models: legacy 0% (0), migrated 100% (3)" in page.text


async def test_the_live_part_is_the_pages_own_markup(client: httpx.AsyncClient) -> None:
    page, live = (await client.get("/_gateway/ui")).text, await client.get("/_gateway/ui/live")
    assert live.headers["cache-control"] == "no-store" and live.headers["content-type"].startswith("text/html")
    assert "<html" not in live.text
    assert page.split('<main id="live">', 1)[1].split("</main>", 1)[0].strip() == live.text.strip()


async def test_the_page_only_reads(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_gateway/ui")).status_code == 405
    assert (await client.post("/_gateway/ui/live")).status_code == 405


def _status(route: dict[str, Any], error: str | None = None) -> dict[str, Any]:
    side = {"requests": 4, "4xx": 0, "5xx": 1, "p50_ms": 0.42, "p95_ms": None, "p99_ms": 12.0}
    return {
        "flags": {"path": "flags.yaml", "sha256": "ab" * 32, "loaded_at": "t0", "error": error, "rejected_at": "t1"},
        "default": "legacy",
        "workers": 2,
        "apis": {
            "models": {
                "mode": "shadow",
                "routes": {"GET /v1/models": {"stats": {"legacy": side, "migrated": side}, **route}},
            }
        },
    }


async def _rendered(status: dict[str, Any]) -> str:
    async def read_status() -> dict[str, Any]:
        return status

    transport = httpx.ASGITransport(Starlette(routes=ui_routes(read_status)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/_gateway/ui")
    response.raise_for_status()
    return response.text


async def test_the_page_shows_shadow_match_rate_diff_and_a_rolled_back_canary() -> None:
    route = {
        "backend": "canary",
        "mode": "canary",
        "shadow": {
            "compared": 4,
            "matched": 3,
            "mismatched": 1,
            "skipped": 2,
            "last_mismatch": {"request_id": "r1", "at": "t2", "diff": "status: legacy 204 | migrated 200"},
        },
        "canary": {"percent": 25.0, "sticky": "header:x-user", "rolled_back": {"at": "t3", "rule": "max_5xx_ratio"}},
    }
    [cells] = RolloutTables(await _rendered(_status(route))).rows["models"].values()
    assert cells[1:6] == ["4", "0", "1", "0.4 ms", "12.0 ms"]
    assert cells[11] == "75.0% match (3/4, 2 skipped) last mismatch t2 status: legacy 204 | migrated 200"
    assert cells[12] == "25% to migrated, sticky header:x-user; rolled back (max_5xx_ratio) at t3"


async def test_what_clients_and_operators_wrote_is_escaped() -> None:
    shadow = {"compared": 1, "matched": 0, "mismatched": 1, "skipped": 0}
    mismatch = {"request_id": "r1", "at": "t2", "diff": 'body $.name: legacy "<script>alert(1)</script>"'}
    html = await _rendered(_status({"backend": "legacy", "shadow": {**shadow, "last_mismatch": mismatch}}, "<b>bad"))
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bad" not in html and "&lt;b&gt;bad" in html
