"""The ledger's migrated router, written plainly: the conventions come from the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import Response

from http_conventions import ConventionRouter, EmbeddedFields, implementation, sse_response
from tests.team_api.service import AuditHit, Entry, LedgerImplementation, Page

Ledger = Annotated[LedgerImplementation, Depends(implementation)]


class NewEntry(EmbeddedFields):
    entry_id: str
    amount: int


class TicksRequest(EmbeddedFields):
    count: int
    stream: bool = False


class AuditQuery(EmbeddedFields):
    entry_id: str


def create_router() -> ConventionRouter:
    router = ConventionRouter()

    @router.get("/v1/ledger/entries")
    async def list_entries(ledger: Ledger) -> Page:
        return await ledger.list_entries()

    @router.get("/v1/ledger/entries/{entry_id}")
    async def get_entry(entry_id: str, ledger: Ledger) -> Entry:
        return await ledger.get_entry(entry_id)

    @router.post("/v1/ledger/entries")
    async def add_entry(body: NewEntry, ledger: Ledger) -> Entry:
        return await ledger.add_entry(body.entry_id, body.amount)

    @router.post("/v1/ledger/ticks")
    async def ticks(body: TicksRequest, ledger: Ledger) -> Response:
        return sse_response(ledger.ticks(body.count, stream=body.stream))

    @router.post("/v1/ledger/audit/query")
    async def audit_query(body: AuditQuery, ledger: Ledger) -> AuditHit:
        return await ledger.audit.query(body.entry_id)

    return router
