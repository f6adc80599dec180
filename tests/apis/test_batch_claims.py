"""Batch claims on PostgreSQL: a lease its owner renews, taken over by another replica once it lapses.

Each replica here is the files, models, inference and batches implementations opened on one
shared database, with the lease's clock in the test's hands and an inference the test can
hold, so that an owner "dies" by being held while its lease lapses. (Claims by pid, on
SQLite, are tested in test_batches_workers.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from apis.batches.claims import LeaseClaims
from apis.batches.implementation import SCHEMA, BatchesImplementation
from apis.batches.models import Batch, BatchStatus
from apis.files.implementation import FilesImplementation, open_files
from apis.inference.implementation import open_inference
from apis.inference.models import ChatCompletionRequest
from apis.models.implementation import open_models
from apis.storage import open_database
from gateway import ApiContext
from tests.apis.steps import Clock, batch_line, jsonl, read_jsonl
from tests.postgres_server import PostgresServer

pytestmark = pytest.mark.anyio

LEASE = 30.0
LINES = [batch_line(f"req-{n}", "echo", f"request {n}") for n in range(4)]


@dataclass
class Replica:
    name: str
    batches: BatchesImplementation
    files: FilesImplementation
    answering: asyncio.Event = field(default_factory=asyncio.Event)
    answered: list[str] = field(default_factory=list)


class HeldInference:
    """Answers a replica's batch requests while its `answering` is set, noting each one."""

    def __init__(self, inference: Any, replica: Replica) -> None:
        self.inference = inference
        self.replica = replica

    async def chat_completion(self, params: ChatCompletionRequest) -> Any:
        await self.replica.answering.wait()
        self.replica.answered.append(str(params.messages[-1].content))
        return await self.inference.chat_completion(params)


@pytest.fixture
def shared(postgres_server: PostgresServer, tmp_path: Path) -> ApiContext:
    return ApiContext(
        data_dir=tmp_path, max_body_size=0, implementations={}, database=postgres_server.create_database()
    )


@asynccontextmanager
async def replica(context: ApiContext, name: str, clock: Clock) -> AsyncIterator[Replica]:
    async with AsyncExitStack() as stack:
        models = await stack.enter_async_context(open_models(context))
        files = await stack.enter_async_context(open_files(context))
        with_models = ApiContext(data_dir=context.data_dir, max_body_size=0, implementations={"models": models})
        inference = await stack.enter_async_context(open_inference(with_models))
        db = await stack.enter_async_context(open_database(context, SCHEMA))
        claims = LeaseClaims(LEASE, owner=name, clock=clock)
        await claims.prepare(db)
        batches = BatchesImplementation(db, files, inference, models, claims=claims, clock=clock)
        held = Replica(name, batches, files)
        batches.inference = HeldInference(inference, held)
        stack.push_async_callback(batches.close)
        yield held


async def create(owner: Replica) -> Batch:
    input_file = await owner.files.create_file(jsonl(LINES), "input.jsonl", "batch")
    return await owner.batches.create_batch(input_file.id, "/v1/chat/completions", "24h")


async def wait_for(replica: Replica, batch_id: str, status: BatchStatus) -> Batch:
    for _ in range(500):
        batch = await replica.batches.retrieve_batch(batch_id)
        if batch.status == status:
            return batch
        await asyncio.sleep(0.01)
    raise AssertionError(f"batch {batch_id} still {batch.status}, not {status}")


async def test_a_lapsed_lease_is_taken_over_and_the_old_owners_runner_writes_nothing(shared: ApiContext) -> None:
    clock = Clock()
    async with replica(shared, "owner", clock) as owner, replica(shared, "other", clock) as other:
        batch = await create(owner)
        await wait_for(owner, batch.id, BatchStatus.IN_PROGRESS)
        other.answering.set()

        # The lease holds: the other replica leaves the batch alone.
        await other.batches.resume()
        assert other.answered == []

        # The owner stalls past its lease without renewing it (a paused VM, a partition).
        clock.advance(LEASE + 1)
        await other.batches.resume()
        done = await wait_for(other, batch.id, BatchStatus.COMPLETED)

        # Back, the stalled runner finds the batch is no longer its own and stops without writing.
        owner.answering.set()
        await asyncio.sleep(0.1)
        assert await owner.batches.retrieve_batch(batch.id) == done
        assert owner.answered == ["request 0"]

        assert done.output_file_id is not None
        output = read_jsonl(await other.files.read_content(done.output_file_id))
        assert [line["custom_id"] for line in output] == [line["custom_id"] for line in LINES]
        outputs = [file for file in (await other.files.list_files()).data if file.purpose == "batch_output"]
        assert [file.id for file in outputs] == [done.output_file_id]

    assert other.answered == [f"request {n}" for n in range(len(LINES))]


async def test_a_live_lease_is_renewed_and_never_taken_over(shared: ApiContext) -> None:
    clock = Clock()
    async with replica(shared, "owner", clock) as owner, replica(shared, "other", clock) as other:
        batch = await create(owner)
        await wait_for(owner, batch.id, BatchStatus.IN_PROGRESS)
        other.answering.set()

        for _ in range(3):
            clock.advance(LEASE * 2 / 3)
            await owner.batches.claims.renew(owner.batches.db)
            await other.batches.resume()

        owner.answering.set()
        await wait_for(owner, batch.id, BatchStatus.COMPLETED)
    assert other.answered == []
    assert owner.answered == [f"request {n}" for n in range(len(LINES))]


async def test_a_claim_released_on_a_clean_stop_is_taken_over_without_waiting_for_the_lease(
    shared: ApiContext,
) -> None:
    clock = Clock()
    async with replica(shared, "other", clock) as other:
        async with replica(shared, "stopping", clock) as stopping:
            batch = await create(stopping)
            await wait_for(stopping, batch.id, BatchStatus.IN_PROGRESS)
        other.answering.set()

        await other.batches.resume()

        await wait_for(other, batch.id, BatchStatus.COMPLETED)
    assert other.answered == [f"request {n}" for n in range(len(LINES))]
