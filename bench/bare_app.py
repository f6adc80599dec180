"""The bare server of the network figures: one example API's FastAPI app under uvicorn, no gateway.

    BENCH_BARE_API=models BENCH_DATA_DIR=/tmp/d uvicorn bench.bare_app:create_app --factory

The example APIs start as the gateway starts them (one implementation each, in
registration order), and every request goes straight to the chosen API's migrated app:
the same app object the gateway would hand the request to.
"""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

import apis
from gateway.lifecycle import started_apis
from gateway.registry import ApiRegistry
from gateway.settings import ServerSettings


class BareApi:
    """Serve the migrated app of one API of `registry` directly; a minimal ASGI lifespan starts it."""

    def __init__(self, registry: ApiRegistry, api: str, data_dir: Path) -> None:
        self.registry, self.api, self.data_dir = registry, api, data_dir
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self.app is not None
        await self.app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        async with AsyncExitStack() as stack:
            await receive()  # lifespan.startup
            served = await stack.enter_async_context(
                started_apis(self.registry, ServerSettings(data_dir=self.data_dir))
            )
            self.app = next(api.migrated for api in served if api.name == self.api)
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


def create_app() -> BareApi:
    """The uvicorn factory: the API and data directory come from ``BENCH_BARE_API`` and ``BENCH_DATA_DIR``."""
    return BareApi(apis.registry, os.environ.get("BENCH_BARE_API", "models"), Path(os.environ["BENCH_DATA_DIR"]))
