from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from legacy_adapter import create_legacy_app, webmethod
from tests.legacy_adapter.toy_api import MAX_BODY_SIZE, WidgetsImpl


@pytest.mark.anyio
async def test_body_over_max_body_size_answers_413_without_calling_the_implementation(
    client: httpx.AsyncClient, impl: WidgetsImpl
) -> None:
    response = await client.post("/v1/widgets", json={"name": "w" * (MAX_BODY_SIZE + 1)})
    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}
    assert impl.calls == []


@pytest.mark.anyio
async def test_streamed_body_over_max_body_size_answers_413_without_calling_the_implementation(
    client: httpx.AsyncClient, impl: WidgetsImpl
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(MAX_BODY_SIZE // 512 + 1):
            yield b"w" * 512
        yield b'"}'

    response = await client.post("/v1/widgets", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}
    assert impl.calls == []


@pytest.mark.anyio
async def test_body_within_max_body_size_is_served(client: httpx.AsyncClient, impl: WidgetsImpl) -> None:
    response = await client.post("/v1/widgets", json={"name": "w" * (MAX_BODY_SIZE - 100)})
    assert response.status_code == 200
    assert impl.calls == ["create_widget"]


def test_app_title_defaults_to_the_protocol_name(app: FastAPI) -> None:
    assert app.title == "WidgetsApi"


class _GuardedApi:
    @webmethod(route="/open", method="GET", require_authentication=False, required_scope="ignored")
    async def open(self) -> None: ...

    @webmethod(route="/things", method="DELETE", required_scope="things:write")
    async def delete_things(self) -> None: ...

    @webmethod(route="/things", method="GET", public=True)
    async def list_things(self) -> None: ...


def test_legacy_app_declares_each_records_authentication_in_its_document() -> None:
    app = create_legacy_app(_GuardedApi, _GuardedApi())
    paths = app.openapi()["paths"]
    assert paths["/v1/open"]["get"]["security"] == []
    assert paths["/v1/things"]["delete"]["security"] == [{"bearer": ["things:write"]}]
    # `public` never opened a route: the old server's authentication did not read it.
    assert "security" not in paths["/v1/things"]["get"]
    assert app.openapi()["security"] == [{"bearer": []}]
