"""Several worker processes on one data directory: each batch is run by exactly one of them.

The workers are apps started in this one process on the same data directory. Each
batches implementation gets its own worker id and a liveness check the test controls,
standing in for the pid and `os.kill`, and counts the requests its runner answers.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from contextlib import AsyncExitStack, closing
from pathlib import Path
from typing import Any

import httpx
import pytest

import apis.batches.implementation
from apis.batches.claims import Claims, ProcessClaims, process_alive
from apis.batches.implementation import BatchesImplementation, ChatCompletions
from apis.batches.input_file import Models
from apis.files.implementation import FilesImplementation
from apis.inference.models import ChatCompletionRequest
from apis.storage import DATABASE_NAME, Database
from gateway.registry import Clock
from tests.apis.steps import (
    batch_line,
    create_batch,
    file_content,
    jsonl,
    read_jsonl,
    serve_legacy,
    wait_for_batch,
)

pytestmark = pytest.mark.anyio

SLOW_LINES = [batch_line(f"slow-{n}", "slow-echo", f"request {n}") for n in range(6)]
# 30 requests of 5 words at 20 ms a word: about 3 s if nothing stops them.
LONG_LINES = [batch_line(f"long-{n}", "slow-echo", "one two three four five") for n in range(30)]


class CountingInference:
    """The inference a worker's batch runner calls: notes which worker answered which request,
    and answers only while `answering` is set.
    """

    def __init__(self, inference: ChatCompletions, worker_id: str, workers: Workers) -> None:
        self.inference = inference
        self.worker_id = worker_id
        self.workers = workers

    async def chat_completion(self, params: ChatCompletionRequest) -> Any:
        await self.workers.answering.wait()
        self.workers.answered.append((self.worker_id, str(params.messages[-1].content)))
        return await self.inference.chat_completion(params)


class Workers:
    """Stands in for the worker processes: the batches implementations started, in order, are
    `worker-1`, `worker-2`, ...; a worker is alive while its id is in `alive`.
    """

    def __init__(self) -> None:
        self.alive: set[str] = set()
        self.answered: list[tuple[str, str]] = []
        self.answering = asyncio.Event()
        self.answering.set()
        self.started = 0

    def implementation(
        self,
        db: Database,
        files: FilesImplementation,
        inference: ChatCompletions,
        models: Models,
        *,
        claims: Claims,
        clock: Clock,
    ) -> BatchesImplementation:
        self.started += 1
        worker_id = f"worker-{self.started}"
        self.alive.add(worker_id)
        counting = CountingInference(inference, worker_id, self)
        claims = ProcessClaims(worker_id, is_alive=self.alive.__contains__)
        return BatchesImplementation(db, files, counting, models, claims=claims, clock=clock)

    def runners(self) -> set[str]:
        """The workers that answered at least one batch request."""
        return {worker for worker, _ in self.answered}


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> Workers:
    workers = Workers()
    monkeypatch.setattr(apis.batches.implementation, "BatchesImplementation", workers.implementation)
    return workers


def leave_claimed(data_dir: Path, batch_id: str, worker_id: str) -> None:
    """Leave the batch claimed by `worker_id`, as a worker killed while running it does (a stopped one releases it)."""
    with closing(sqlite3.connect(data_dir / DATABASE_NAME)) as db, db:
        db.execute("UPDATE batches SET claimed_by = ? WHERE id = ?", (worker_id, batch_id))


async def batch_output_files(client: httpx.AsyncClient) -> int:
    files = (await client.get("/v1/files")).json()["data"]
    return sum(file["purpose"] == "batch_output" for file in files)


async def assert_completed_once(client: httpx.AsyncClient, batch: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    """The batch completed, with one output line per request, and one output file written."""
    assert batch["status"] == "completed"
    assert batch["request_counts"] == {"total": len(lines), "completed": len(lines), "failed": 0}
    output = read_jsonl(await file_content(client, batch["output_file_id"]))
    assert [line["custom_id"] for line in output] == [line["custom_id"] for line in lines]
    assert await batch_output_files(client) == 1


async def test_a_batch_is_run_only_by_the_worker_that_created_it(tmp_path: Path, workers: Workers) -> None:
    async with serve_legacy(tmp_path) as first:
        created = await create_batch(first, jsonl(SLOW_LINES))
        await wait_for_batch(first, created["id"], lambda b: b["status"] == "in_progress")

        # A worker starting meanwhile (a restarted sibling, say) leaves the batch to its live owner.
        async with serve_legacy(tmp_path) as second:
            batch = await wait_for_batch(second, created["id"])

            await assert_completed_once(second, batch, SLOW_LINES)

    assert workers.answered == [("worker-1", f"request {n}") for n in range(len(SLOW_LINES))]


async def test_two_workers_starting_together_take_over_a_dead_workers_batch_once(
    tmp_path: Path, workers: Workers
) -> None:
    async with serve_legacy(tmp_path) as doomed:
        created = await create_batch(doomed, jsonl(SLOW_LINES))
        await wait_for_batch(doomed, created["id"], lambda b: b["request_counts"]["completed"] >= 1)
    leave_claimed(tmp_path, created["id"], "worker-1")
    workers.alive.discard("worker-1")
    workers.answered.clear()

    async with AsyncExitStack() as stack:
        clients = await asyncio.gather(*(stack.enter_async_context(serve_legacy(tmp_path)) for _ in range(2)))
        batch = await wait_for_batch(clients[0], created["id"])

        await assert_completed_once(clients[0], batch, SLOW_LINES)

    assert len(workers.runners()) == 1
    assert workers.runners() < {"worker-2", "worker-3"}
    assert [text for _, text in workers.answered] == [f"request {n}" for n in range(len(SLOW_LINES))]


async def test_cancel_through_another_worker_stops_the_owners_runner(tmp_path: Path, workers: Workers) -> None:
    async with serve_legacy(tmp_path) as owner, serve_legacy(tmp_path) as other:
        created = await create_batch(owner, jsonl(LONG_LINES))
        await wait_for_batch(owner, created["id"], lambda b: b["request_counts"]["completed"] >= 1)

        response = await other.post(f"/v1/batches/{created['id']}/cancel")

        assert response.status_code == 200
        assert response.json()["status"] == "cancelling"
        batch = await wait_for_batch(other, created["id"])
        assert batch["status"] == "cancelled"
        assert batch["cancelling_at"] is not None
        assert batch["cancelled_at"] is not None
        completed = batch["request_counts"]["completed"]
        assert 1 <= completed < len(LONG_LINES)
        output = read_jsonl(await file_content(other, batch["output_file_id"]))
        assert [line["custom_id"] for line in output] == [f"long-{n}" for n in range(completed)]

    assert workers.runners() == {"worker-1"}
    assert len(workers.answered) == completed


async def test_cancel_of_a_batch_whose_worker_is_dead_is_immediate(tmp_path: Path, workers: Workers) -> None:
    async with serve_legacy(tmp_path) as survivor:
        async with serve_legacy(tmp_path) as doomed:
            created = await create_batch(doomed, jsonl(LONG_LINES))
            await wait_for_batch(doomed, created["id"], lambda b: b["status"] == "in_progress")
        leave_claimed(tmp_path, created["id"], "worker-2")
        workers.alive.discard("worker-2")

        response = await survivor.post(f"/v1/batches/{created['id']}/cancel")

        assert response.status_code == 200
        batch = response.json()
        assert batch["status"] == "cancelled"
        assert batch["cancelling_at"] is not None
        assert batch["cancelled_at"] is not None
        assert (await survivor.get(f"/v1/batches/{created['id']}")).json() == batch

    assert workers.runners() == {"worker-2"}


async def test_cancel_finishes_a_cancellation_a_dead_worker_left(tmp_path: Path, workers: Workers) -> None:
    async with serve_legacy(tmp_path) as survivor:
        async with serve_legacy(tmp_path) as doomed:
            # Its runner stays in its first request, so it never sees the cancellation.
            workers.answering.clear()
            created = await create_batch(doomed, jsonl(LONG_LINES))
            await wait_for_batch(doomed, created["id"], lambda b: b["status"] == "in_progress")
            cancelling = (await survivor.post(f"/v1/batches/{created['id']}/cancel")).json()
            assert cancelling["status"] == "cancelling"
        leave_claimed(tmp_path, created["id"], "worker-2")
        workers.alive.discard("worker-2")

        response = await survivor.post(f"/v1/batches/{created['id']}/cancel")

        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        assert response.json()["cancelling_at"] == cancelling["cancelling_at"]
        assert response.json()["cancelled_at"] is not None


async def test_a_claim_under_the_own_pid_is_a_killed_predecessors(tmp_path: Path) -> None:
    # The production worker id and liveness check: a restarted worker may get the pid of the killed one.
    async with serve_legacy(tmp_path) as killed:
        created = await create_batch(killed, jsonl(SLOW_LINES))
        await wait_for_batch(killed, created["id"], lambda b: b["request_counts"]["completed"] >= 1)
    leave_claimed(tmp_path, created["id"], str(os.getpid()))

    async with serve_legacy(tmp_path) as restarted:
        batch = await wait_for_batch(restarted, created["id"])

        await assert_completed_once(restarted, batch, SLOW_LINES)


async def test_a_database_made_before_claims_gets_them(tmp_path: Path, workers: Workers) -> None:
    async with serve_legacy(tmp_path) as stopped:
        created = await create_batch(stopped, jsonl(SLOW_LINES))
        await wait_for_batch(stopped, created["id"], lambda b: b["request_counts"]["completed"] >= 1)
    with closing(sqlite3.connect(tmp_path / DATABASE_NAME)) as db, db:
        db.execute("ALTER TABLE batches DROP COLUMN claimed_by")

    async with AsyncExitStack() as stack:
        clients = await asyncio.gather(*(stack.enter_async_context(serve_legacy(tmp_path)) for _ in range(2)))
        batch = await wait_for_batch(clients[1], created["id"])

        await assert_completed_once(clients[1], batch, SLOW_LINES)

    assert len(workers.runners() - {"worker-1"}) == 1


def test_process_alive_answers_for_a_pid() -> None:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()

    assert process_alive(str(os.getpid()))
    assert not process_alive(str(finished.pid))
