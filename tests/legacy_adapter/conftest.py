from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from legacy_adapter import create_legacy_app
from tests.captured_logs import captured_logs
from tests.legacy_adapter.toy_api import MAX_BODY_SIZE, WidgetsApi, WidgetsImpl


@pytest.fixture(autouse=True)
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with captured_logs() as captured:
        yield captured


@pytest.fixture
def impl() -> WidgetsImpl:
    return WidgetsImpl()


@pytest.fixture
def app(impl: WidgetsImpl) -> FastAPI:
    return create_legacy_app(WidgetsApi, impl, max_body_size=MAX_BODY_SIZE)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
