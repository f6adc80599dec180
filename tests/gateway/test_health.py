from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import httpx
import pytest

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.health import Readiness, draining_on_exit_signals
from gateway.settings import ServerSettings


def _client(app: GatewayApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


async def _health(app: GatewayApp) -> tuple[int, object]:
    async with _client(app) as client:
        response = await client.get("/_gateway/health")
    return response.status_code, response.json()


@pytest.mark.anyio
@pytest.mark.parametrize("admin", ["on", "off"])
async def test_health_is_503_starting_then_200_ok_then_503_draining(tmp_path: Path, admin: str) -> None:
    # Served whatever --admin says: a readiness probe must always reach it.
    settings = ServerSettings(data_dir=tmp_path, admin=admin)  # type: ignore[arg-type]
    app = GatewayApp(apis.registry, settings, flags=FlagFile(default="legacy"))

    assert await _health(app) == (503, {"status": "starting"})
    async with app.running():
        assert await _health(app) == (200, {"status": "ok"})
    assert await _health(app) == (503, {"status": "draining"})


@pytest.fixture
def sigterm_seen() -> Iterator[list[int]]:
    """SIGTERM handled by a recorder, as uvicorn's handler would handle it, for the test's duration."""
    seen: list[int] = []

    def record(sig: int, frame: FrameType | None) -> None:
        seen.append(sig)

    previous = signal.signal(signal.SIGTERM, record)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_exit_signal_marks_draining_and_still_reaches_the_server_handler(sigterm_seen: list[int]) -> None:
    readiness = Readiness()
    with draining_on_exit_signals(readiness):
        signal.raise_signal(signal.SIGTERM)
        assert readiness.state == "draining"
    assert sigterm_seen == [signal.SIGTERM]
    # The server's own handler is back once the block ends.
    signal.raise_signal(signal.SIGTERM)
    assert sigterm_seen == [signal.SIGTERM, signal.SIGTERM]
