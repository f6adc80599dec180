"""A real `gateway serve` per test module, and the official `openai` client pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import openai
import pytest

from tests.e2e.gateway_process import GatewayProcess

SHIPPED_FLAGS = Path(__file__).resolve().parents[2] / "config" / "migration.yaml"

StartGateway = Callable[[Path], GatewayProcess]


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("default: legacy\n", id="all-legacy"),
        pytest.param("default: migrated\n", id="all-migrated"),
    ],
)
def gateway_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server per test module and flag file, on a fresh data directory; yields its base URL.

    The client must work unchanged whichever side serves an API, so every module runs twice: with
    every API on the legacy side, and with every API that has a router on the migrated side (the
    shipped flag file mixes the two).
    """
    workdir = tmp_path_factory.mktemp("gateway")
    flags = workdir / "migration.yaml"
    flags.write_text(request.param)
    with GatewayProcess(flags=flags, workdir=workdir) as gateway:
        yield gateway.base_url


@pytest.fixture(scope="module")
def client(gateway_url: str) -> Iterator[openai.OpenAI]:
    """The official client, unchanged, talking to the module's server."""
    with openai.OpenAI(base_url=f"{gateway_url}/v1", api_key="unused", max_retries=0) as client:
        yield client


@pytest.fixture
def start_gateway() -> StartGateway:
    """For tests that need servers of their own, with the shipped flags: `with start_gateway(workdir) as gateway:`.

    Servers started on the same `workdir` share its data directory.
    """

    def start(workdir: Path) -> GatewayProcess:
        return GatewayProcess(flags=SHIPPED_FLAGS, workdir=workdir)

    return start
