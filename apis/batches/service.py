"""What the batches API does, independent of how it is served."""

from __future__ import annotations

from typing import Protocol

from apis.batches.models import Batch, BatchEndpoint, CompletionWindow, ListBatchesResponse


class BatchesService(Protocol):
    async def create_batch(
        self,
        input_file_id: str,
        endpoint: BatchEndpoint,
        completion_window: CompletionWindow,
        metadata: dict[str, str] | None = None,
    ) -> Batch: ...

    async def retrieve_batch(self, batch_id: str) -> Batch: ...

    async def cancel_batch(self, batch_id: str) -> Batch: ...

    async def list_batches(self, after: str | None = None, limit: int = 20) -> ListBatchesResponse: ...
