"""Models kept in the database, over the fixed set of built-in models."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from apis.limits import ModelMetadata
from apis.models.models import ListModelsResponse, Model
from apis.storage import Database, Row, open_database
from gateway import ApiContext
from gateway.registry import Clock
from http_conventions import ConflictError, ResourceNotFoundError

BUILTIN_MODELS = ("echo", "lorem", "slow-echo")
# Built-ins are listed with a fixed time so that every listing is deterministic.
BUILTIN_CREATED = 1735689600
DEFAULT_PROVIDER_MODEL = "echo"

SCHEMA = """
CREATE TABLE IF NOT EXISTS models (
    id TEXT PRIMARY KEY,
    provider_model_id TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
"""


def _builtin(model_id: str) -> Model:
    return Model(id=model_id, created=BUILTIN_CREATED, owned_by="builtin", provider_model_id=model_id)


def _from_row(row: Row) -> Model:
    return Model(
        id=row["id"],
        created=row["created_at"],
        owned_by="registered",
        provider_model_id=row["provider_model_id"],
        metadata=json.loads(row["metadata"]),
    )


class ModelsImplementation:
    """The models API over its database."""

    def __init__(self, db: Database, *, clock: Clock = time.time) -> None:
        self.db = db
        self.clock = clock

    async def list_models(self) -> ListModelsResponse:
        rows = await self.db.fetch_all("SELECT * FROM models ORDER BY created_at, id")
        registered = [_from_row(row) for row in rows]
        return ListModelsResponse(data=[*map(_builtin, BUILTIN_MODELS), *registered])

    async def get_model(self, model_id: str) -> Model:
        if model_id in BUILTIN_MODELS:
            return _builtin(model_id)
        row = await self.db.fetch_one("SELECT * FROM models WHERE id = ?", (model_id,))
        if row is None:
            raise ResourceNotFoundError("Model", model_id)
        return _from_row(row)

    async def register_model(
        self, model_id: str, provider_model_id: str | None = None, metadata: ModelMetadata | None = None
    ) -> Model:
        provider_model_id = provider_model_id or DEFAULT_PROVIDER_MODEL
        if provider_model_id not in BUILTIN_MODELS:
            raise ValueError(f"provider_model_id must be one of {', '.join(BUILTIN_MODELS)}, not {provider_model_id!r}")
        if not model_id.strip():
            raise ValueError("model_id must not be empty")
        if model_id in BUILTIN_MODELS:
            raise ConflictError(f"Model '{model_id}' already exists")
        inserted = await self.db.execute(
            "INSERT INTO models (id, provider_model_id, metadata, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (model_id, provider_model_id, json.dumps(metadata or {}), int(self.clock())),
        )
        if not inserted:
            raise ConflictError(f"Model '{model_id}' already exists")
        return await self.get_model(model_id)

    async def _registered(self, model_id: str) -> Model:
        if model_id in BUILTIN_MODELS:
            raise PermissionError(f"built-in model '{model_id}' cannot be changed")
        return await self.get_model(model_id)

    async def update_model(self, model_id: str, metadata: ModelMetadata) -> Model:
        await self._registered(model_id)
        await self.db.execute("UPDATE models SET metadata = ? WHERE id = ?", (json.dumps(metadata), model_id))
        return await self.get_model(model_id)

    async def unregister_model(self, model_id: str) -> None:
        await self._registered(model_id)
        await self.db.execute("DELETE FROM models WHERE id = ?", (model_id,))

    async def resolve(self, model_id: str) -> str:
        """The built-in model that answers for `model_id`."""
        return (await self.get_model(model_id)).provider_model_id


@asynccontextmanager
async def open_models(context: ApiContext) -> AsyncIterator[ModelsImplementation]:
    async with open_database(context, SCHEMA) as db:
        yield ModelsImplementation(db, clock=context.clock)
