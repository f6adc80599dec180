"""The ledger registered the way a team would: its conventions once, both sides over one implementation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.middleware import Middleware

from gateway import ApiContext, ApiRegistry
from http_conventions import Conventions, ErrorEntry, create_router_app
from legacy_adapter import Nested, create_legacy_app
from tests.team_api.middleware import RequireClientVersion
from tests.team_api.routes import create_router
from tests.team_api.service import (
    Audit,
    EntryClash,
    EntryMissing,
    Ledger,
    LedgerHousekeeping,
    LedgerImplementation,
    page_url,
    tenant_context,
)

CONVENTIONS = Conventions(
    errors=[
        ErrorEntry("ledger-missing", EntryMissing, 404),
        ErrorEntry("ledger-clash", EntryClash, 409, "Conflict: {exc}"),
    ],
    context=tenant_context,
    result_hook=page_url,
    middleware=[Middleware(RequireClientVersion, minimum=2)],
)


@asynccontextmanager
async def open_ledger(context: ApiContext) -> AsyncIterator[LedgerImplementation]:
    yield LedgerImplementation()


registry = ApiRegistry(conventions=CONVENTIONS)
registry.register_api(
    "ledger",
    implementation=open_ledger,
    legacy=lambda impl, ctx: create_legacy_app(
        [Ledger, Nested("audit", Audit), LedgerHousekeeping], impl, title="ledger"
    ),
    migrated=lambda impl, ctx: create_router_app(create_router(), impl, title="ledger"),
)
registry.register_api(
    "housekeeping",
    implementation=open_ledger,
    legacy=lambda impl, ctx: create_legacy_app(LedgerHousekeeping, impl, title="housekeeping"),
)
