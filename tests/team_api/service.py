"""The ledger's protocols (with the team's own decorator), exceptions and context, and its implementation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel
from starlette.requests import HTTPConnection

TENANT_HEADER = "X-Ledger-Tenant"
tenant: ContextVar[str] = ContextVar("ledger_tenant", default="nobody")


@dataclass(frozen=True)
class Endpoint:
    """The team's own decorator record: same field names, another class."""

    route: str
    method: str
    level: str = "v1"


def endpoint(route: str, method: str = "POST") -> Any:
    """The team's decorator: one `__webmethod__` record per method, not a list."""

    def decorate(func: Any) -> Any:
        func.__webmethod__ = Endpoint(route, method)
        return func

    return decorate


class LedgerFault(Exception):
    """Base of the team's errors; none of them derives from the product's classes."""


class EntryMissing(LedgerFault):
    pass


class EntryClash(LedgerFault):
    pass


class Entry(BaseModel):
    entry_id: str
    amount: int
    tenant: str


class Page(BaseModel):
    data: list[Entry]
    url: str | None = None


class Tick(BaseModel):
    index: int
    tenant: str


class AuditHit(BaseModel):
    entry_id: str
    tenant: str


class Ledger(Protocol):
    @endpoint("/ledger/entries", "GET")
    async def list_entries(self) -> Page: ...

    @endpoint("/ledger/entries/{entry_id}", "GET")
    async def get_entry(self, entry_id: str) -> Entry: ...

    @endpoint("/ledger/entries")
    async def add_entry(self, entry_id: str, amount: int) -> Entry: ...

    @endpoint("/ledger/ticks")
    async def ticks(self, count: int, stream: bool = False) -> AsyncIterator[Tick]: ...


class Audit(Protocol):
    @endpoint("/ledger/audit/query")
    async def query(self, entry_id: str) -> AuditHit: ...


class LedgerHousekeeping(Protocol):
    """Declares no routes: the old server registered it and served nothing."""

    async def compact(self) -> None: ...


class AuditTool:
    def __init__(self, ledger: LedgerImplementation) -> None:
        self._ledger = ledger

    async def query(self, entry_id: str) -> AuditHit:
        await self._ledger.get_entry(entry_id)
        return AuditHit(entry_id=entry_id, tenant=tenant.get())


class LedgerImplementation:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self.audit = AuditTool(self)

    async def list_entries(self) -> Page:
        return Page(data=list(self._entries.values()))

    async def get_entry(self, entry_id: str) -> Entry:
        if entry_id not in self._entries:
            raise EntryMissing(f"no entry {entry_id}")
        return self._entries[entry_id]

    async def add_entry(self, entry_id: str, amount: int) -> Entry:
        if entry_id in self._entries:
            raise EntryClash(f"entry {entry_id} exists")
        entry = self._entries[entry_id] = Entry(entry_id=entry_id, amount=amount, tenant=tenant.get())
        return entry

    async def ticks(self, count: int, stream: bool = False) -> AsyncIterator[Tick]:
        for index in range(count):
            # Read at every step: the tenant must still be set inside the stream.
            yield Tick(index=index, tenant=tenant.get())

    async def compact(self) -> None:
        return None


@contextmanager
def tenant_context(request: HTTPConnection) -> Iterator[None]:
    """The team's context hook: its tenant header into its own context variable."""
    token = tenant.set(request.headers.get(TENANT_HEADER, "nobody"))
    try:
        yield
    finally:
        tenant.reset(token)


def page_url(result: Any, route: str) -> Any:
    """The team's result hook: a page answers with the route it came from."""
    if isinstance(result, Page) and result.url is None:
        return result.model_copy(update={"url": route})
    return result
