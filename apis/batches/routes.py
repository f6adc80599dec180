"""The batches API as a FastAPI router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from apis.batches.models import Batch, CreateBatchRequest, ListBatchesResponse
from apis.batches.service import BatchesService
from http_conventions import ConventionRouter, implementation, standard_responses

Service = Annotated[BatchesService, Depends(implementation)]
BatchId = Annotated[str, Path(description="The batch identifier.")]


def create_router() -> ConventionRouter:
    router = ConventionRouter(tags=["batches"], responses=standard_responses)

    @router.post("/v1/batches", summary="Create a batch and start running it in the background.")
    async def create_batch(request: CreateBatchRequest, service: Service) -> Batch:
        return await service.create_batch(
            request.input_file_id, request.endpoint, request.completion_window, request.metadata
        )

    @router.get("/v1/batches/{batch_id}", summary="Retrieve a batch.")
    async def retrieve_batch(batch_id: BatchId, service: Service) -> Batch:
        return await service.retrieve_batch(batch_id)

    @router.post("/v1/batches/{batch_id}/cancel", summary="Cancel a batch that is validating or in progress.")
    async def cancel_batch(batch_id: BatchId, service: Service) -> Batch:
        return await service.cancel_batch(batch_id)

    @router.get("/v1/batches", summary="List batches, newest first.")
    async def list_batches(
        service: Service,
        after: Annotated[str | None, Query(description="List the batches that follow this batch id.")] = None,
        limit: Annotated[int, Query(ge=1, le=100, description="How many batches to return, 1 to 100.")] = 20,
    ) -> ListBatchesResponse:
        return await service.list_batches(after, limit)

    return router
