"""What the API tests do again and again: start the app, upload a file, run a batch to its end."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx

from apis.registry import registry
from gateway import ApiContext, ApiRegistry
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.registry import Clock as ClockFunction, ImplementationFactory
from gateway.settings import MIB, ServerSettings

MAX_BODY_SIZE = 10 * MIB
SMALL_BODY_LIMIT = 1024
BATCH_DEADLINE = 5.0
POLL_INTERVAL = 0.01
FINAL_BATCH_STATUSES = frozenset({"completed", "failed", "cancelled", "expired"})


def _reading(clock: ClockFunction, factory: ImplementationFactory) -> ImplementationFactory:
    def open_implementation(context: ApiContext) -> AbstractAsyncContextManager[Any]:
        return factory(dataclasses.replace(context, clock=clock))

    return open_implementation


def with_clock(apis: ApiRegistry, clock: ClockFunction) -> ApiRegistry:
    """`apis` with every implementation reading the time from `clock` (its context's clock)."""
    clocked = ApiRegistry()
    for api in apis:
        clocked.register_api(
            api.name, implementation=_reading(clock, api.implementation), legacy=api.legacy, migrated=api.migrated
        )
    return clocked


@asynccontextmanager
async def serve_legacy(
    data_dir: Path,
    *,
    max_body_size: int = MAX_BODY_SIZE,
    clock: ClockFunction = time.time,
    database: str | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """Run the example APIs all-legacy on `data_dir`, or on `database` if given (lifespan included); yield a client."""
    settings = ServerSettings(data_dir=data_dir, max_body_size=max_body_size, database=database)
    app = GatewayApp(with_clock(registry, clock), settings, flags=FlagFile(default="legacy"))
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


class Clock:
    """The clock of the implementations' context, so creation times are chosen by the test.

    Calling it answers `now`; set it, or `advance()` it, between requests.
    """

    def __init__(self, now: float = 1_800_000_000) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 1) -> None:
        self.now += seconds


def chat_body(model: str, text: str, **extra: Any) -> dict[str, Any]:
    """A chat completion request with one user message."""
    return {"model": model, "messages": [{"role": "user", "content": text}], **extra}


def batch_line(custom_id: str, model: str, text: str) -> dict[str, Any]:
    """One request of a batch input file."""
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": chat_body(model, text)}


def jsonl(items: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in items).encode()


def read_jsonl(content: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in content.decode().splitlines() if line.strip()]


async def upload_file(
    client: httpx.AsyncClient, content: bytes, *, purpose: str = "batch", filename: str = "input.jsonl"
) -> dict[str, Any]:
    """Upload `content` as the official clients do (multipart) and return the file object."""
    response = await client.post("/v1/files", files={"file": (filename, content)}, data={"purpose": purpose})
    assert response.status_code == 200, response.text
    uploaded: dict[str, Any] = response.json()
    return uploaded


async def create_batch(client: httpx.AsyncClient, content: bytes) -> dict[str, Any]:
    """Upload `content` as a batch input file and create a batch over it."""
    input_file = await upload_file(client, content)
    response = await client.post(
        "/v1/batches",
        json={"input_file_id": input_file["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"},
    )
    assert response.status_code == 200, response.text
    batch: dict[str, Any] = response.json()
    return batch


async def wait_for_batch(
    client: httpx.AsyncClient,
    batch_id: str,
    done: Callable[[dict[str, Any]], bool] = lambda batch: batch["status"] in FINAL_BATCH_STATUSES,
    *,
    deadline: float = BATCH_DEADLINE,
) -> dict[str, Any]:
    """Poll the batch until `done` holds (by default: a final status); fail after `deadline` seconds."""
    give_up = time.monotonic() + deadline
    while True:
        response = await client.get(f"/v1/batches/{batch_id}")
        assert response.status_code == 200, response.text
        batch: dict[str, Any] = response.json()
        if done(batch):
            return batch
        assert time.monotonic() < give_up, f"batch still {batch['status']} after {deadline} s: {batch}"
        await anyio.sleep(POLL_INTERVAL)


async def file_content(client: httpx.AsyncClient, file_id: str) -> bytes:
    response = await client.get(f"/v1/files/{file_id}/content")
    assert response.status_code == 200, response.text
    return response.content
