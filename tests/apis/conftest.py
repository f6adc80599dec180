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

from gateway import ApiContext
from tests.apis.steps import MAX_BODY_SIZE, SMALL_BODY_LIMIT, Clock, serve_legacy


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


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """Each storage in turn: None for SQLite under the data dir, else the URL of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    server = request.getfixturevalue("postgres_server")
    url: str = server.create_database()
    return url


@pytest.fixture
def storage_context(tmp_path: Path, database_url: str | None) -> ApiContext:
    """The context an API opens its storage with, on each storage in turn."""
    return ApiContext(data_dir=tmp_path, max_body_size=MAX_BODY_SIZE, implementations={}, database=database_url)
