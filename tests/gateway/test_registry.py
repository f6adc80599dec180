from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette

from gateway import ApiContext, ApiRegistry
from gateway.exceptions import UnknownApiError


@asynccontextmanager
async def _nothing(context: ApiContext) -> AsyncIterator[object]:
    yield object()


def _app(implementation: Any, context: ApiContext) -> Starlette:
    return Starlette()


def test_registry_keeps_registration_order() -> None:
    registry = ApiRegistry()
    for name in ("models", "files", "batches"):
        registry.register_api(name, implementation=_nothing, legacy=_app)
    assert registry.names == ["models", "files", "batches"]
    assert len(registry) == 3
    assert registry["files"].migrated is None


def test_registry_refuses_the_same_name_twice() -> None:
    registry = ApiRegistry()
    registry.register_api("models", implementation=_nothing, legacy=_app)
    with pytest.raises(ValueError, match="'models' is registered twice"):
        registry.register_api("models", implementation=_nothing, legacy=_app)


def test_registry_unknown_api_suggests_closest_name() -> None:
    registry = ApiRegistry()
    registry.register_api("models", implementation=_nothing, legacy=_app)
    registry.register_api("batches", implementation=_nothing, legacy=_app)
    with pytest.raises(
        UnknownApiError, match="unknown API 'modles' \\(did you mean 'models'\\?\\); registered: batches"
    ):
        registry["modles"]
