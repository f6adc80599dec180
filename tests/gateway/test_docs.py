"""`/docs` and `/redoc` load everything from the gateway: no CDN, no font service, no validator."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.settings import ServerSettings

# The only URLs a page may name: the gateway's own paths.
_ANY_ABSOLUTE_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://|(?<![:\w])//[\w.-]", re.IGNORECASE)


class _LoadedUrls(HTMLParser):
    """The URLs a page's `src` and `href` attributes load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def _loaded_urls(page: str) -> list[str]:
    parser = _LoadedUrls()
    parser.feed(page)
    return parser.urls


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="legacy"))
    async with app.running():
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param(
            "/docs",
            {
                "/docs/assets/swagger-ui-bundle.js": "text/javascript",
                "/docs/assets/swagger-ui.css": "text/css",
                "/docs/assets/favicon.png": "image/png",
            },
            id="swagger-ui",
        ),
        pytest.param(
            "/redoc",
            {"/docs/assets/redoc.standalone.js": "text/javascript", "/docs/assets/favicon.png": "image/png"},
            id="redoc",
        ),
    ],
)
async def test_docs_page_loads_only_the_gateways_own_assets(
    client: httpx.AsyncClient, page: str, expected: dict[str, str]
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert _ANY_ABSOLUTE_URL.findall(response.text) == []
    assert "'/openapi.json'" in response.text or '"/openapi.json"' in response.text
    assert sorted(_loaded_urls(response.text)) == sorted(expected)
    for url, content_type in expected.items():
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] == content_type, url
        assert len(asset.content) > 1000, url


@pytest.mark.anyio
async def test_docs_swagger_ui_asks_no_validator(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    assert '"validatorUrl": null' in page


@pytest.mark.anyio
async def test_docs_assets_are_the_upstream_builds(client: httpx.AsyncClient) -> None:
    swagger = (await client.get("/docs/assets/swagger-ui-bundle.js")).text
    redoc = (await client.get("/docs/assets/redoc.standalone.js")).text
    assert "SwaggerUIBundle" in swagger
    assert "Redoc" in redoc
