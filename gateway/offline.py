"""The served routes and documents without a server, for the commands that inspect them."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from gateway.lifecycle import ServedApi, started_apis
from gateway.registry import ApiRegistry
from gateway.settings import ServerSettings


@asynccontextmanager
async def scratch_apis(registry: ApiRegistry) -> AsyncIterator[list[ServedApi]]:
    """Every API started on a scratch data directory, so the real one is never touched."""
    with tempfile.TemporaryDirectory(prefix="gateway-") as scratch:
        async with started_apis(registry, ServerSettings(data_dir=Path(scratch))) as apis:
            yield apis
