"""How a worker claims the batches it runs, and tells whether another worker's claim still holds.

On SQLite (one machine) a claim is the worker's pid, held while that process lives; a worker
starting takes over the claims of dead ones. On PostgreSQL (replicas on several machines, whose
pids mean nothing to each other) a claim is a lease: an expiry its owner renews every third of
the lease, and that any replica takes over once it has lapsed, looking every third of a lease.
Each batch's row names its owner (`claimed_by`); a claim released on a clean stop is NULL.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from apis.storage import Database, DatabaseKind, Row, Statements
from gateway import ApiContext
from gateway.registry import Clock

# Only where claims are leases: a pid claim has no expiry, and SQLite's table never gets the column.
LEASE_SCHEMA = "ALTER TABLE batches ADD COLUMN IF NOT EXISTS lease_expires_at DOUBLE PRECISION;"


class Claims(Protocol):
    owner: str
    """The id this worker claims batches under."""
    follow_every: float | None
    """Seconds between renewing this worker's claims and looking for lapsed ones; None: only at start-up."""

    async def prepare(self, db: Database) -> None:
        """Give the batches table what claims need."""
        ...

    def held(self, row: Row) -> bool:
        """Whether a live worker, this one included, holds the claim on the batch in `row`."""
        ...

    def assignment(self) -> tuple[str, tuple[Any, ...]]:
        """The SQL that makes a row this worker's claim (``claimed_by = ?, ...``) and its parameters."""
        ...

    def lapsed(self) -> tuple[str, tuple[Any, ...]]:
        """A condition narrowing the rows that may be abandoned in SQL (``AND ...``) and its parameters."""
        ...

    async def renew(self, statements: Statements) -> None:
        """Extend the claims this worker holds."""
        ...


def current_worker() -> str:
    """The id under which this worker process claims batches: its pid."""
    return str(os.getpid())


def process_alive(worker_id: str) -> bool:
    """Whether the worker process `worker_id` (a pid on this machine) still runs."""
    try:
        os.kill(int(worker_id), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        # The pid exists but belongs to another user: alive.
        return True
    return True


class ProcessClaims:
    """Claims by pid, for worker processes sharing one SQLite file."""

    follow_every: float | None = None

    def __init__(self, owner: str | None = None, *, is_alive: Callable[[str], bool] = process_alive) -> None:
        self.owner = current_worker() if owner is None else owner
        self.is_alive = is_alive

    async def prepare(self, db: Database) -> None:
        """Give a database made before claims existed its `claimed_by` column (its batches start unclaimed)."""
        # In one transaction, so that of two workers starting together only one adds it.
        async with db.transaction() as transaction:
            columns = {row["name"] for row in await transaction.fetch_all("PRAGMA table_info(batches)")}
            if "claimed_by" not in columns:
                await transaction.execute("ALTER TABLE batches ADD COLUMN claimed_by TEXT")

    def held(self, row: Row) -> bool:
        owner = row["claimed_by"]
        return owner is not None and self.is_alive(owner)

    def assignment(self) -> tuple[str, tuple[Any, ...]]:
        return "claimed_by = ?", (self.owner,)

    def lapsed(self) -> tuple[str, tuple[Any, ...]]:
        # Whether a pid lives is not in the database: every candidate is checked with `held`.
        return "", ()

    async def renew(self, statements: Statements) -> None:
        # A pid claim holds as long as its process lives.
        return


def replica_id() -> str:
    """An id no other replica has, even one on another machine with the same pid: `host:pid:random`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaseClaims:
    """Claims that lapse `lease` seconds after their owner last renewed them, for replicas sharing PostgreSQL.

    The expiry is the owner's clock plus the lease: the replicas' clocks (NTP-synchronised, as
    Kubernetes nodes are) must agree to well within a lease.
    """

    def __init__(self, lease: float, *, owner: str | None = None, clock: Clock = time.time) -> None:
        self.lease = lease
        self.owner = replica_id() if owner is None else owner
        self.clock = clock
        self.follow_every: float | None = lease / 3

    async def prepare(self, db: Database) -> None:
        await db.create(LEASE_SCHEMA)

    def held(self, row: Row) -> bool:
        expires = row["lease_expires_at"]
        return row["claimed_by"] is not None and expires is not None and expires > self.clock()

    def assignment(self) -> tuple[str, tuple[Any, ...]]:
        return "claimed_by = ?, lease_expires_at = ?", (self.owner, self.clock() + self.lease)

    def lapsed(self) -> tuple[str, tuple[Any, ...]]:
        return " AND (claimed_by IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= ?)", (self.clock(),)

    async def renew(self, statements: Statements) -> None:
        await statements.execute(
            "UPDATE batches SET lease_expires_at = ? WHERE claimed_by = ?", (self.clock() + self.lease, self.owner)
        )


CLAIMS: dict[DatabaseKind, Callable[[ApiContext], Claims]] = {
    "sqlite": lambda context: ProcessClaims(),
    "postgresql": lambda context: LeaseClaims(context.database_lease, clock=context.clock),
}
"""How batches are claimed, by the kind of database they are in."""
