"""The adapter tests' toy protocol (every quirk of the old server) registered as an API, for scaffolding."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette

from gateway import ApiContext, ApiRegistry
from legacy_adapter import create_legacy_app
from tests.legacy_adapter.toy_api import WidgetsApi, WidgetsImpl


@asynccontextmanager
async def _widgets(context: ApiContext) -> AsyncIterator[WidgetsImpl]:
    yield WidgetsImpl()


def _legacy(implementation: Any, context: ApiContext) -> Starlette:
    return create_legacy_app(WidgetsApi, implementation)


registry = ApiRegistry()
registry.register_api("widgets", implementation=_widgets, legacy=_legacy)
