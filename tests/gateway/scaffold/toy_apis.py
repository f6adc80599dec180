"""Protocols registered as APIs for scaffolding: the adapter tests' toy one (every quirk of the old server), edges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette

from gateway import ApiContext, ApiRegistry
from legacy_adapter import create_legacy_app
from tests.gateway.scaffold.edges_api import EdgesApi, EdgesImpl
from tests.legacy_adapter.toy_api import WidgetsApi, WidgetsImpl


@asynccontextmanager
async def _widgets(context: ApiContext) -> AsyncIterator[WidgetsImpl]:
    yield WidgetsImpl()


@asynccontextmanager
async def _edges(context: ApiContext) -> AsyncIterator[EdgesImpl]:
    yield EdgesImpl()


def _legacy(protocol: type) -> Any:
    def build(implementation: Any, context: ApiContext) -> Starlette:
        return create_legacy_app(protocol, implementation)

    return build


registry = ApiRegistry()
registry.register_api("widgets", implementation=_widgets, legacy=_legacy(WidgetsApi))
registry.register_api("edges", implementation=_edges, legacy=_legacy(EdgesApi))
