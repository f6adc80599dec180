"""The batches API as the old server declared it."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Body, Query

from apis.batches.models import Batch, BatchEndpoint, CompletionWindow, ListBatchesResponse
from legacy_adapter import webmethod


class BatchesApi(Protocol):
    @webmethod(route="/batches", method="POST")
    async def create_batch(
        self,
        input_file_id: str,
        # Body fields like the others, said outright: the adapter leaves an Annotated parameter where it is.
        endpoint: Annotated[BatchEndpoint, Body(embed=True)],
        completion_window: Annotated[CompletionWindow, Body(embed=True)],
        metadata: dict[str, str] | None = None,
    ) -> Batch:
        """Create a batch and start running it in the background.

        :param input_file_id: A file of purpose `batch` with one JSON request per line.
        :param endpoint: The endpoint the requests go to; only `/v1/chat/completions`.
        :param completion_window: The time frame to finish within; only `24h`.
        :param metadata: Free-form key-value pairs kept with the batch.
        :returns: The batch, in status `validating`.
        """
        ...

    @webmethod(route="/batches/{batch_id}", method="GET")
    async def retrieve_batch(self, batch_id: str) -> Batch:
        """Retrieve a batch.

        :param batch_id: The batch to retrieve.
        :returns: The batch.
        """
        ...

    @webmethod(route="/batches/{batch_id}/cancel", method="POST")
    async def cancel_batch(self, batch_id: str) -> Batch:
        """Cancel a batch that is validating or in progress.

        :param batch_id: The batch to cancel.
        :returns: The batch, in status `cancelling` or `cancelled`.
        """
        ...

    @webmethod(route="/batches", method="GET")
    async def list_batches(
        self, after: str | None = None, limit: Annotated[int, Query(ge=1, le=100)] = 20
    ) -> ListBatchesResponse:
        """List batches, newest first.

        :param after: List the batches that follow this batch id.
        :param limit: How many batches to return, 1 to 100.
        :returns: A page of batches.
        """
        ...
