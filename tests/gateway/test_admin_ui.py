from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

import apis
from gateway.app import GatewayApp
from gateway.settings import ServerSettings

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: legacy\n")
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path / "data"), flags)
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_the_page_and_everything_it_loads_come_from_the_gateway(client: httpx.AsyncClient) -> None:
    page = await client.get("/_gateway/ui")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
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
    assert 'fetch("/_gateway/status"' in script and "://" not in script


async def test_the_page_only_reads(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_gateway/ui")).status_code == 405
