"""The example APIs served all-legacy in process.

`client` starts a server on a fresh data directory per test; `shared_client` starts one
per test module, for modules whose tests change no state another test reads (starting
the six apps costs tens of milliseconds, which adds up over hundreds of tests).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.apis.steps import SMALL_BODY_LIMIT, Clock, serve_legacy


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    # Module scope, so that a module-scoped server and the tests using it share one event loop.
    return "asyncio"


@pytest.fixture
async def client(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    """A client of every example API in `legacy` mode, started (SQLite, batch runner) on `tmp_path`.

    The implementations read the time from `clock` if the test uses it, else from the system.
    """
    clock = request.getfixturevalue("clock") if "clock" in request.fixturenames else time.time
    async with serve_legacy(tmp_path, clock=clock) as client:
        yield client


@pytest.fixture
async def small_body_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """As `client`, with request bodies limited to `SMALL_BODY_LIMIT` bytes."""
    async with serve_legacy(tmp_path, max_body_size=SMALL_BODY_LIMIT) as client:
        yield client


@pytest.fixture(scope="module")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-data")


@pytest.fixture(scope="module")
async def shared_client(shared_data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """As `client`, but one server for the whole test module, on `shared_data_dir`."""
    async with serve_legacy(shared_data_dir) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    """The clock of the implementations' context, for `client` (ordering tests need ties and gaps)."""
    return Clock()
