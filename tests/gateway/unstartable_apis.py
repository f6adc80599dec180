"""A registry whose implementation cannot start: the commands that only read routes must not need it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette

from gateway import ApiContext, ApiRegistry
from http_conventions import create_router_app
from legacy_adapter import create_legacy_app
from tests.gateway.auth_apis import WhoAmIApi, router


@asynccontextmanager
async def _refuse_to_start(context: ApiContext) -> AsyncIterator[object]:
    raise RuntimeError("started an implementation to read routes")
    yield  # pragma: no cover


def _legacy(impl: Any, context: ApiContext) -> Starlette:
    return create_legacy_app(WhoAmIApi, impl)


def _migrated(impl: Any, context: ApiContext) -> Starlette:
    return create_router_app(router(open_is_public=True), impl, title="whoami")


registry = ApiRegistry()
registry.register_api("whoami", implementation=_refuse_to_start, legacy=_legacy, migrated=_migrated)
