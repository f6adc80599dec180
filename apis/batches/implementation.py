"""Batches kept in SQLite and run in the background against the inference implementation."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any, Protocol

import aiosqlite
import structlog
from fastapi import Query

from apis.batches.input_file import BatchRequest, parse_input
from apis.batches.models import (
    Batch,
    BatchEndpoint,
    BatchError,
    BatchErrors,
    BatchRequestCounts,
    CompletionWindow,
    ListBatchesResponse,
)
from apis.files.implementation import FilesImplementation
from apis.inference.models import ChatCompletion, ChatCompletionRequest
from apis.storage import open_database
from gateway import ApiContext
from http_conventions import ConflictError, ResourceNotFoundError, translate_exception

log = structlog.get_logger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_by_creation ON batches (created_at, id);
"""
WINDOW_SECONDS = 24 * 60 * 60
CANCELLABLE = ("validating", "in_progress")
# A batch a stopped server left in one of these is run again from its input.
RESUMABLE = (*CANCELLABLE, "finalizing")


class ChatCompletions(Protocol):
    async def chat_completion(self, params: ChatCompletionRequest) -> Any: ...


def _now() -> int:
    return int(time.time())


def _result_line(request: BatchRequest, status_code: int, body: Any) -> str:
    return json.dumps(
        {
            "id": f"batch_req_{uuid.uuid4().hex}",
            "custom_id": request.custom_id,
            "response": {"status_code": status_code, "request_id": uuid.uuid4().hex, "body": body},
            "error": None,
        }
    )


class BatchesImplementation:
    """The batches API; each batch runs as a task of the worker that created it."""

    def __init__(self, db: aiosqlite.Connection, files: FilesImplementation, inference: ChatCompletions) -> None:
        self.db = db
        self.files = files
        self.inference = inference
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # One read-modify-write at a time, so a cancel never overwrites the runner's progress.
        self._lock = asyncio.Lock()

    async def _load(self, batch_id: str) -> Batch:
        cursor = await self.db.execute("SELECT data FROM batches WHERE id = ?", (batch_id,))
        row = await cursor.fetchone()
        if row is None:
            raise ResourceNotFoundError("Batch", batch_id)
        return Batch.model_validate_json(row["data"])

    async def _update(self, batch_id: str, change: Callable[[Batch], dict[str, Any]] | dict[str, Any]) -> Batch:
        async with self._lock:
            batch = await self._load(batch_id)
            batch = batch.model_copy(update=change(batch) if callable(change) else change)
            await self.db.execute("UPDATE batches SET data = ? WHERE id = ?", (batch.model_dump_json(), batch_id))
            await self.db.commit()
            return batch

    def _start(self, batch_id: str) -> None:
        task = asyncio.create_task(self._run(batch_id), name=f"batch {batch_id}")
        self._tasks[batch_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(batch_id, None))

    async def create_batch(
        self,
        input_file_id: str,
        endpoint: BatchEndpoint,
        completion_window: CompletionWindow,
        metadata: dict[str, str] | None = None,
    ) -> Batch:
        input_file = await self.files.retrieve_file(input_file_id)
        if input_file.purpose != "batch":
            raise ValueError(f"input file {input_file_id} has purpose {input_file.purpose!r}, not 'batch'")
        created_at = _now()
        batch = Batch(
            id=f"batch_{uuid.uuid4().hex}",
            endpoint=endpoint,
            input_file_id=input_file_id,
            completion_window=completion_window,
            status="validating",
            created_at=created_at,
            expires_at=created_at + WINDOW_SECONDS,
            metadata=metadata,
        )
        await self.db.execute(
            "INSERT INTO batches (id, created_at, data) VALUES (?, ?, ?)",
            (batch.id, created_at, batch.model_dump_json()),
        )
        await self.db.commit()
        self._start(batch.id)
        return batch

    async def retrieve_batch(self, batch_id: str) -> Batch:
        return await self._load(batch_id)

    async def cancel_batch(self, batch_id: str) -> Batch:
        def cancel(batch: Batch) -> dict[str, Any]:
            if batch.status == "cancelling":
                return {}
            if batch.status not in CANCELLABLE:
                raise ConflictError(f"Batch '{batch_id}' cannot be cancelled: its status is {batch.status}")
            if batch_id not in self._tasks:
                # Nothing runs it any more (the server restarted): cancelling is immediate.
                return {"status": "cancelled", "cancelling_at": _now(), "cancelled_at": _now()}
            return {"status": "cancelling", "cancelling_at": _now()}

        return await self._update(batch_id, cancel)

    async def list_batches(
        self, after: str | None = None, limit: Annotated[int, Query(ge=1, le=100)] = 20
    ) -> ListBatchesResponse:
        where: str = ""
        args: tuple[int | str, ...] = ()
        if after is not None:
            cursor_batch = await self._load(after)
            where, args = "WHERE (created_at, id) < (?, ?)", (cursor_batch.created_at, cursor_batch.id)
        cursor = await self.db.execute(
            f"SELECT data FROM batches {where} ORDER BY created_at DESC, id DESC LIMIT ?", (*args, limit + 1)
        )
        rows = list(await cursor.fetchall())
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
            log.error("batch_crashed", batch_id=batch_id, exc_info=exc)
            error = BatchError(code="internal_error", message=f"The batch could not be processed: {exc}")
            await self._update(batch_id, {"status": "failed", "failed_at": _now(), "errors": BatchErrors(data=[error])})

    async def _process(self, batch_id: str) -> None:
        batch = await self._load(batch_id)
        requests, errors = parse_input(await self.files.read_content(batch.input_file_id), batch.endpoint)
        if errors:
            await self._update(
                batch_id,
                lambda b: (
                    {"status": "cancelled", "cancelled_at": _now()}
                    if b.status == "cancelling"
                    else {"status": "failed", "failed_at": _now(), "errors": BatchErrors(data=errors)}
                ),
            )
            return
        batch = await self._update(
            batch_id,
            lambda b: {
                "status": b.status if b.status == "cancelling" else "in_progress",
                "in_progress_at": _now(),
                "request_counts": BatchRequestCounts(total=len(requests)),
            },
        )
        outputs: list[str] = []
        failures: list[str] = []
        for request in requests:
            if batch.status == "cancelling":
                break
            status_code, body = await self._answer(request)
            (outputs if status_code == 200 else failures).append(_result_line(request, status_code, body))
            counts = BatchRequestCounts(total=len(requests), completed=len(outputs), failed=len(failures))
            batch = await self._update(batch_id, {"request_counts": counts})
        if batch.status == "cancelling":
            await self._write_results(batch_id, outputs, failures, {"status": "cancelled", "cancelled_at": _now()})
            return
        await self._update(batch_id, {"status": "finalizing", "finalizing_at": _now()})
        await self._write_results(batch_id, outputs, failures, {"status": "completed", "completed_at": _now()})

    async def _answer(self, request: BatchRequest) -> tuple[int, Any]:
        try:
            params = ChatCompletionRequest.model_validate({**request.body, "stream": False})
            completion = await self.inference.chat_completion(params)
        except Exception as exc:
            error = translate_exception(exc)
            message = error.detail if isinstance(error.detail, str) else json.dumps(error.detail)
            return error.status_code, {"error": {"message": message, "type": "invalid_request_error", "code": None}}
        assert isinstance(completion, ChatCompletion)
        return 200, completion.model_dump(mode="json")

    async def _write_results(
        self, batch_id: str, outputs: list[str], failures: list[str], final: dict[str, Any]
    ) -> None:
        update = dict(final)
        if outputs:
            output = await self.files.create_file(_jsonl(outputs), f"{batch_id}_output.jsonl", "batch_output")
            update["output_file_id"] = output.id
        if failures:
            error_file = await self.files.create_file(_jsonl(failures), f"{batch_id}_error.jsonl", "batch_output")
            update["error_file_id"] = error_file.id
        await self._update(batch_id, update)

    async def resume(self) -> None:
        """Run again the batches a stopped server left running; finish the cancellations it left."""
        cursor = await self.db.execute("SELECT data FROM batches ORDER BY created_at, id")
        for row in await cursor.fetchall():
            batch = Batch.model_validate_json(row["data"])
            if batch.status in RESUMABLE:
                self._start(batch.id)
            elif batch.status == "cancelling":
                await self._update(batch.id, {"status": "cancelled", "cancelled_at": _now()})

    async def close(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with suppress(asyncio.CancelledError):
                await task


def _jsonl(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@asynccontextmanager
async def open_batches(context: ApiContext) -> AsyncIterator[BatchesImplementation]:
    async with open_database(context.data_dir, SCHEMA) as db:
        batches = BatchesImplementation(db, context.implementations["files"], context.implementations["inference"])
        await batches.resume()
        try:
            yield batches
        finally:
            await batches.close()
