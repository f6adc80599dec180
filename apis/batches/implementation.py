"""Batches kept in the database and run in the background against the inference implementation."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any, Protocol

import structlog
from fastapi import Body, Query

from apis.batches.claims import CLAIMS, Claims
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
from apis.storage import Database, Row, Statements, open_database
from gateway import ApiContext
from gateway.registry import Clock
from http_conventions import ConflictError, ResourceNotFoundError, is_storage_full

log = structlog.get_logger(__name__)

# `claimed_by` is the worker that runs the batch, NULL when none does (see `apis.batches.claims`).
SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
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


class ClaimLostError(Exception):
    """Another worker took the batch over (this one's lease lapsed): this worker's runner must stop."""


class BatchesImplementation:
    """The batches API; each batch runs as a task of the one worker that claimed it.

    Several workers, processes or replicas, may share the database. A batch's row names the
    worker that runs it (`claimed_by`); only that worker's runner writes its progress, and
    every read-modify-write of a row is one transaction holding it, so a cancel written by
    one worker is never overwritten by the runner in another.
    """

    def __init__(
        self,
        db: Database,
        files: FilesImplementation,
        inference: ChatCompletions,
        models: Models,
        *,
        claims: Claims,
        clock: Clock = time.time,
    ) -> None:
        self.db = db
        self.files = files
        self.inference = inference
        self.models = models
        self.claims = claims
        self.clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._following: asyncio.Task[None] | None = None

    def _now(self) -> int:
        return int(self.clock())

    async def _row(self, statements: Statements, batch_id: str, *, lock: str = "") -> Row | None:
        return await statements.fetch_one(f"SELECT * FROM batches WHERE id = ?{lock}", (batch_id,))

    async def _locked(self, transaction: Statements, batch_id: str) -> tuple[Batch, Row]:
        """The batch and its row, locked until the transaction ends."""
        row = await self._row(transaction, batch_id, lock=self.db.row_lock())
        if row is None:
            raise ResourceNotFoundError("Batch", batch_id)
        return Batch.model_validate_json(row["data"]), row

    async def _load(self, batch_id: str) -> Batch:
        row = await self._row(self.db, batch_id)
        if row is None:
            raise ResourceNotFoundError("Batch", batch_id)
        return Batch.model_validate_json(row["data"])

    async def _save(self, transaction: Statements, batch: Batch, **changes: Any) -> Batch:
        batch = batch.model_copy(update=changes)
        await transaction.execute("UPDATE batches SET data = ? WHERE id = ?", (batch.model_dump_json(), batch.id))
        return batch

    async def _update(self, batch_id: str, change: Callable[[Batch], dict[str, Any]] | dict[str, Any]) -> Batch:
        """Apply the runner's `change` to the batch as it is in the database now, never to a copy read earlier.

        Raises `ClaimLostError` if another worker has taken the batch over meanwhile.
        """
        async with self.db.transaction() as transaction:
            batch, row = await self._locked(transaction, batch_id)
            if row["claimed_by"] != self.claims.owner:
                raise ClaimLostError(f"batch {batch_id} is now run by {row['claimed_by']}")
            return await self._save(transaction, batch, **(change(batch) if callable(change) else change))

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
        assignment, parameters = self.claims.assignment()
        async with self.db.transaction() as transaction:
            await transaction.execute(
                "INSERT INTO batches (id, created_at, data) VALUES (?, ?, ?)",
                (batch.id, created_at, batch.model_dump_json()),
            )
            await transaction.execute(f"UPDATE batches SET {assignment} WHERE id = ?", (*parameters, batch.id))
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
        async with self.db.transaction() as transaction:
            batch, row = await self._locked(transaction, batch_id)
            if batch.status not in (*CANCELLABLE, BatchStatus.CANCELLING):
                raise ConflictError(f"Cannot cancel a batch with status '{batch.status}'.")
            if self.claims.held(row):
                # Its runner, here or in another worker, reads the status before each request and stops.
                if batch.status == BatchStatus.CANCELLING:
                    return batch
                return await self._save(transaction, batch, status=BatchStatus.CANCELLING, cancelling_at=self._now())
            # No worker runs it any more: nothing would ever finish the cancellation, so it is immediate.
            return await self._save(
                transaction,
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
        rows = await self.db.fetch_all(
            f"SELECT data FROM batches {where} ORDER BY created_at DESC, id DESC LIMIT ?", (*args, limit + 1)
        )
        batches = [Batch.model_validate_json(row["data"]) for row in rows[:limit]]
        return ListBatchesResponse(
            data=batches,
            first_id=batches[0].id if batches else None,
            last_id=batches[-1].id if batches else None,
            has_more=len(rows) > limit,
        )

    async def _run(self, batch_id: str) -> None:
        log.info("batch_run_started", batch_id=batch_id, worker=self.claims.owner)
        try:
            await self._process(batch_id)
        except asyncio.CancelledError:
            raise
        except ClaimLostError as exc:
            # Whoever took it over runs it from its input; what this runner wrote is undone.
            log.warning("batch_claim_lost", batch_id=batch_id, worker=self.claims.owner, error=str(exc))
        except Exception as exc:
            if is_storage_full(exc):
                # Not a bug: the operator must free space. The message names no path on the server.
                log.error("batch_storage_full", batch_id=batch_id, error=str(exc))
                message = "The batch output could not be stored: the disk is full."
                error = BatchError(code="insufficient_storage", message=message)
            else:
                log.error("batch_crashed", batch_id=batch_id, exc_info=exc)
                error = BatchError(code="internal_error", message=f"The batch could not be processed: {exc}")
            # Taken over meanwhile, it is the new owner's to finish.
            with suppress(ClaimLostError):
                await self._update(
                    batch_id,
                    {"status": BatchStatus.FAILED, "failed_at": self._now(), "errors": BatchErrors(data=[error])},
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
        predecessor's that had the same pid, and with leases every `claims.follow_every`
        seconds, when only lapsed claims are looked at.
        """
        placeholders = ", ".join("?" for _ in UNFINISHED)
        lapsed, parameters = self.claims.lapsed()
        rows = await self.db.fetch_all(
            f"SELECT id FROM batches WHERE {self.db.json_field('data', 'status')} IN ({placeholders}){lapsed}"
            " ORDER BY created_at, id",
            (*UNFINISHED, *parameters),
        )
        for row in rows:
            # Its own batches a worker runs already; a lapsed claim of its own is renewed, not run twice.
            if row["id"] not in self._tasks and await self._take_over(row["id"]):
                self._start(row["id"])

    async def _take_over(self, batch_id: str) -> bool:
        """Claim the batch if it is unfinished and its worker is gone; whether it is now this worker's to run."""
        async with self.db.transaction() as transaction:
            # Read again, locked: another worker may have taken it over since. One taking it over right
            # now holds the row: it is skipped rather than waited for, as that worker will run it.
            row = await self._row(transaction, batch_id, lock=self.db.row_lock(skip_locked=True))
            if row is None:
                return False
            batch, owner = Batch.model_validate_json(row["data"]), row["claimed_by"]
            abandoned = owner == self.claims.owner or not self.claims.held(row)
            if batch.status not in UNFINISHED or not abandoned:
                return False
            if batch.status == BatchStatus.CANCELLING:
                await self._save(transaction, batch, status=BatchStatus.CANCELLED, cancelled_at=self._now())
                return False
            assignment, parameters = self.claims.assignment()
            await transaction.execute(f"UPDATE batches SET {assignment} WHERE id = ?", (*parameters, batch_id))
        log.info("batch_taken_over", batch_id=batch_id, worker=self.claims.owner, previous_worker=owner)
        return True

    def follow_claims(self) -> None:
        """Renew this worker's claims and take over lapsed ones, every `claims.follow_every` seconds, until `close`."""
        if self.claims.follow_every is not None:
            self._following = asyncio.create_task(self._follow(self.claims.follow_every), name="batch claims")

    async def _follow(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.claims.renew(self.db)
                await self.resume()
            except Exception as exc:
                # The database may be back by the next round; a lease outlives several of them.
                log.warning("batch_claims_not_followed", worker=self.claims.owner, error=str(exc))

    async def close(self) -> None:
        """Stop this worker's runners and give up its claims, so the next worker to start takes them over."""
        if self._following is not None:
            self._following.cancel()
            with suppress(asyncio.CancelledError):
                await self._following
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with suppress(asyncio.CancelledError):
                await task
        # Released rather than left to lapse: once this process is gone its pid may be reused, and another
        # replica takes a released batch over at once instead of after the lease.
        await self.db.execute("UPDATE batches SET claimed_by = NULL WHERE claimed_by = ?", (self.claims.owner,))


def _jsonl(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@asynccontextmanager
async def open_batches(context: ApiContext) -> AsyncIterator[BatchesImplementation]:
    async with open_database(context, SCHEMA) as db:
        claims = CLAIMS[db.kind](context)
        await claims.prepare(db)
        batches = BatchesImplementation(
            db,
            context.implementation(FilesImplementation),
            context.implementation(InferenceImplementation),
            context.implementation(ModelsImplementation),
            claims=claims,
            clock=context.clock,
        )
        await batches.resume()
        batches.follow_claims()
        try:
            yield batches
        finally:
            await batches.close()
