"""Batches kept in SQLite and run in the background against the inference implementation."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any, Protocol

import aiosqlite
import structlog
from fastapi import Body, Query

from apis.batches.input_file import BatchRequest, Models, validate_input
from apis.batches.models import (
    Batch,
    BatchEndpoint,
    BatchError,
    BatchErrors,
    BatchRequestCounts,
    BatchStatus,
    CompletionWindow,
    ListBatchesResponse,
)
from apis.batches.result_lines import error_answer, result_line
from apis.files.implementation import FilesImplementation
from apis.inference.implementation import InferenceImplementation
from apis.inference.models import ChatCompletion, ChatCompletionRequest
from apis.models.implementation import ModelsImplementation
from apis.storage import fetch_all, fetch_one, open_database, write_transaction
from gateway import ApiContext
from gateway.registry import Clock
from http_conventions import ConflictError, ResourceNotFoundError, is_storage_full

log = structlog.get_logger(__name__)

# `claimed_by` is the worker id of the process that runs the batch, NULL when none does.
SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    claimed_by TEXT
);
CREATE INDEX IF NOT EXISTS batches_by_creation ON batches (created_at, id);
"""
WINDOW_SECONDS = 24 * 60 * 60
CANCELLABLE = (BatchStatus.VALIDATING, BatchStatus.IN_PROGRESS)
# A batch a stopped worker left in one of these is run again from its input.
RESUMABLE = (*CANCELLABLE, BatchStatus.FINALIZING)
# The statuses resume() looks at: those above, and cancellations a stopped worker left unfinished.
UNFINISHED = (*RESUMABLE, BatchStatus.CANCELLING)


class ChatCompletions(Protocol):
    async def chat_completion(self, params: ChatCompletionRequest) -> Any: ...


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


class BatchesImplementation:
    """The batches API; each batch runs as a task of the one worker process that claimed it.

    Several worker processes may share the database. A batch's row names the worker that
    runs it (`claimed_by`); only that worker's runner writes its progress, and every
    read-modify-write of a row is one `BEGIN IMMEDIATE` transaction, so a cancel written
    by one worker is never overwritten by the runner in another.
    """

    def __init__(
        self,
        db: aiosqlite.Connection,
        files: FilesImplementation,
        inference: ChatCompletions,
        models: Models,
        *,
        worker_id: str | None = None,
        is_alive: Callable[[str], bool] = process_alive,
        clock: Clock = time.time,
    ) -> None:
        self.db = db
        self.files = files
        self.inference = inference
        self.models = models
        self.worker_id = current_worker() if worker_id is None else worker_id
        self.is_alive = is_alive
        self.clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # The tasks of this process share one connection, hence one transaction at a time: the
        # database lock keeps other processes out, this lock keeps this process's other tasks out.
        self._lock = asyncio.Lock()

    def _now(self) -> int:
        return int(self.clock())

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self._lock, write_transaction(self.db):
            yield

    async def _row(self, batch_id: str) -> tuple[Batch, str | None]:
        """The batch and the worker that claimed it."""
        row = await fetch_one(self.db, "SELECT data, claimed_by FROM batches WHERE id = ?", (batch_id,))
        if row is None:
            raise ResourceNotFoundError("Batch", batch_id)
        return Batch.model_validate_json(row["data"]), row["claimed_by"]

    async def _load(self, batch_id: str) -> Batch:
        batch, _ = await self._row(batch_id)
        return batch

    async def _save(self, batch: Batch, **changes: Any) -> Batch:
        batch = batch.model_copy(update=changes)
        await self.db.execute("UPDATE batches SET data = ? WHERE id = ?", (batch.model_dump_json(), batch.id))
        return batch

    async def _update(self, batch_id: str, change: Callable[[Batch], dict[str, Any]] | dict[str, Any]) -> Batch:
        """Apply `change` to the batch as it is in the database now, never to a copy read earlier."""
        async with self._transaction():
            batch = await self._load(batch_id)
            return await self._save(batch, **(change(batch) if callable(change) else change))

    def _start(self, batch_id: str) -> None:
        task = asyncio.create_task(self._run(batch_id), name=f"batch {batch_id}")
        self._tasks[batch_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(batch_id, None))

    async def create_batch(
        self,
        input_file_id: str,
        # Body fields like the others, said outright: the legacy adapter leaves an Annotated parameter where it is.
        endpoint: Annotated[BatchEndpoint, Body(embed=True)],
        completion_window: Annotated[CompletionWindow, Body(embed=True)],
        metadata: dict[str, str] | None = None,
    ) -> Batch:
        await self._check_purpose(input_file_id)
        created_at = self._now()
        batch = Batch(
            id=f"batch_{uuid.uuid4().hex}",
            endpoint=endpoint,
            input_file_id=input_file_id,
            completion_window=completion_window,
            status=BatchStatus.VALIDATING,
            created_at=created_at,
            expires_at=created_at + WINDOW_SECONDS,
            metadata=metadata,
        )
        async with self._transaction():
            await self.db.execute(
                "INSERT INTO batches (id, created_at, data, claimed_by) VALUES (?, ?, ?, ?)",
                (batch.id, created_at, batch.model_dump_json(), self.worker_id),
            )
        self._start(batch.id)
        return batch

    async def _check_purpose(self, input_file_id: str) -> None:
        try:
            input_file = await self.files.retrieve_file(input_file_id)
        except ResourceNotFoundError:
            # As OpenAI does: the batch is created, and fails validation with "Cannot find file".
            return
        if input_file.purpose != "batch":
            raise ValueError(f"input file {input_file_id} has purpose {input_file.purpose!r}, not 'batch'")

    async def retrieve_batch(self, batch_id: str) -> Batch:
        return await self._load(batch_id)

    async def cancel_batch(self, batch_id: str) -> Batch:
        async with self._transaction():
            batch, owner = await self._row(batch_id)
            if batch.status not in (*CANCELLABLE, BatchStatus.CANCELLING):
                raise ConflictError(f"Cannot cancel a batch with status '{batch.status}'.")
            if owner is not None and self.is_alive(owner):
                # Its runner, here or in another worker, reads the status before each request and stops.
                if batch.status == BatchStatus.CANCELLING:
                    return batch
                return await self._save(batch, status=BatchStatus.CANCELLING, cancelling_at=self._now())
            # No worker runs it any more: nothing would ever finish the cancellation, so it is immediate.
            return await self._save(
                batch,
                status=BatchStatus.CANCELLED,
                cancelling_at=batch.cancelling_at or self._now(),
                cancelled_at=self._now(),
            )

    async def list_batches(
        self, after: str | None = None, limit: Annotated[int, Query(ge=1, le=100)] = 20
    ) -> ListBatchesResponse:
        where: str = ""
        args: tuple[int | str, ...] = ()
        if after is not None:
            cursor_batch = await self._load(after)
            where, args = "WHERE (created_at, id) < (?, ?)", (cursor_batch.created_at, cursor_batch.id)
        rows = await fetch_all(
            self.db, f"SELECT data FROM batches {where} ORDER BY created_at DESC, id DESC LIMIT ?", (*args, limit + 1)
        )
        batches = [Batch.model_validate_json(row["data"]) for row in rows[:limit]]
        return ListBatchesResponse(
            data=batches,
            first_id=batches[0].id if batches else None,
            last_id=batches[-1].id if batches else None,
            has_more=len(rows) > limit,
        )

    async def _run(self, batch_id: str) -> None:
        try:
            await self._process(batch_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_storage_full(exc):
                # Not a bug: the operator must free space. The message names no path on the server.
                log.error("batch_storage_full", batch_id=batch_id, error=str(exc))
                message = "The batch output could not be stored: the disk is full."
                error = BatchError(code="insufficient_storage", message=message)
            else:
                log.error("batch_crashed", batch_id=batch_id, exc_info=exc)
                error = BatchError(code="internal_error", message=f"The batch could not be processed: {exc}")
            await self._update(
                batch_id, {"status": BatchStatus.FAILED, "failed_at": self._now(), "errors": BatchErrors(data=[error])}
            )

    async def _process(self, batch_id: str) -> None:
        batch = await self._load(batch_id)
        requests, errors = await validate_input(self.files, batch.input_file_id, batch.endpoint, self.models)
        if errors:
            await self._update(
                batch_id,
                lambda b: (
                    {"status": BatchStatus.CANCELLED, "cancelled_at": self._now()}
                    if b.status == BatchStatus.CANCELLING
                    else {"status": BatchStatus.FAILED, "failed_at": self._now(), "errors": BatchErrors(data=errors)}
                ),
            )
            return
        batch = await self._update(
            batch_id,
            lambda b: {
                "status": b.status if b.status == BatchStatus.CANCELLING else BatchStatus.IN_PROGRESS,
                "in_progress_at": self._now(),
                "request_counts": BatchRequestCounts(total=len(requests)),
            },
        )
        outputs: list[str] = []
        failures: list[str] = []
        for request in requests:
            if batch.status == BatchStatus.CANCELLING:
                break
            status_code, body = await self._answer(request)
            (outputs if status_code == 200 else failures).append(result_line(request.custom_id, status_code, body))
            counts = BatchRequestCounts(total=len(requests), completed=len(outputs), failed=len(failures))
            batch = await self._update(batch_id, {"request_counts": counts})
        # A cancel may have come in since the last request was counted: it wins over finalizing.
        batch = await self._update(
            batch_id,
            lambda b: (
                {}
                if b.status == BatchStatus.CANCELLING
                else {"status": BatchStatus.FINALIZING, "finalizing_at": self._now()}
            ),
        )
        if batch.status == BatchStatus.CANCELLING:
            await self._write_results(
                batch_id, outputs, failures, {"status": BatchStatus.CANCELLED, "cancelled_at": self._now()}
            )
            return
        await self._write_results(
            batch_id, outputs, failures, {"status": BatchStatus.COMPLETED, "completed_at": self._now()}
        )

    async def _answer(self, request: BatchRequest) -> tuple[int, Any]:
        try:
            params = ChatCompletionRequest.model_validate({**request.body, "stream": False})
            completion = await self.inference.chat_completion(params)
        except Exception as exc:
            return error_answer(exc)
        assert isinstance(completion, ChatCompletion)
        return 200, completion.model_dump(mode="json")

    async def _write_results(
        self, batch_id: str, outputs: list[str], failures: list[str], final: dict[str, Any]
    ) -> None:
        update = dict(final)
        written: list[str] = []
        try:
            for lines, field, kind in ((outputs, "output_file_id", "output"), (failures, "error_file_id", "error")):
                if lines:
                    stored = await self.files.create_file(_jsonl(lines), f"{batch_id}_{kind}.jsonl", "batch_output")
                    written.append(stored.id)
                    update[field] = stored.id
            await self._update(batch_id, update)
        except BaseException:
            # A batch that failed to finish names no output, so the files it did write would never be found.
            for file_id in written:
                with suppress(Exception):
                    await self.files.delete_file(file_id)
            raise

    async def resume(self) -> None:
        """Take over the batches no live worker runs: run again those left running, finish the cancellations left.

        Called at start-up, when a claim under this worker's own id can only be a
        predecessor's that had the same pid.
        """
        placeholders = ", ".join("?" for _ in UNFINISHED)
        rows = await fetch_all(
            self.db,
            f"SELECT id FROM batches WHERE json_extract(data, '$.status') IN ({placeholders}) ORDER BY created_at, id",
            UNFINISHED,
        )
        for row in rows:
            if await self._take_over(row["id"]):
                self._start(row["id"])

    async def _take_over(self, batch_id: str) -> bool:
        """Claim the batch if it is unfinished and its worker is gone; whether it is now this worker's to run."""
        async with self._transaction():
            # Read again under the lock: another worker starting now may have taken it over already.
            batch, owner = await self._row(batch_id)
            abandoned = owner is None or owner == self.worker_id or not self.is_alive(owner)
            if batch.status not in UNFINISHED or not abandoned:
                return False
            if batch.status == BatchStatus.CANCELLING:
                await self._save(batch, status=BatchStatus.CANCELLED, cancelled_at=self._now())
                return False
            await self.db.execute("UPDATE batches SET claimed_by = ? WHERE id = ?", (self.worker_id, batch_id))
        log.info("batch_taken_over", batch_id=batch_id, worker=self.worker_id, previous_worker=owner)
        return True

    async def close(self) -> None:
        """Stop this worker's runners and give up its claims, so the next worker to start takes them over."""
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with suppress(asyncio.CancelledError):
                await task
        # Released rather than left to the liveness check: once this process is gone its pid may be reused.
        async with self._transaction():
            await self.db.execute("UPDATE batches SET claimed_by = NULL WHERE claimed_by = ?", (self.worker_id,))


def _jsonl(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


async def _add_claims(db: aiosqlite.Connection) -> None:
    """Give a database made before claims existed its `claimed_by` column (its batches start unclaimed)."""
    # In one transaction, so that of two workers starting together only one adds it.
    async with write_transaction(db):
        columns = {row["name"] for row in await fetch_all(db, "PRAGMA table_info(batches)")}
        if "claimed_by" not in columns:
            await db.execute("ALTER TABLE batches ADD COLUMN claimed_by TEXT")


@asynccontextmanager
async def open_batches(context: ApiContext) -> AsyncIterator[BatchesImplementation]:
    async with open_database(context.data_dir, SCHEMA) as db:
        await _add_claims(db)
        batches = BatchesImplementation(
            db,
            context.implementation(FilesImplementation),
            context.implementation(InferenceImplementation),
            context.implementation(ModelsImplementation),
            clock=context.clock,
        )
        await batches.resume()
        try:
            yield batches
        finally:
            await batches.close()
