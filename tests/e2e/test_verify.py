"""`gateway verify` on traffic a real `gateway serve` recorded: the parity catalogue, replayed offline.

Bad input and the report's forms are tested in process, in tests/gateway/test_verify.py.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from gateway.cli.common import load_routes
from gateway.routes import RouteIndex
from gateway.settings import ServerSettings
from tests.e2e.gateway_process import GatewayProcess
from tests.parity.replay import Served, catalogue_files, load_catalogue, replay

APIS = "tests.e2e.shadow_apis"
RECORDED_APIS = ("models", "files", "inference", "batches", "inspect", "providers")
"""Every API: each has a router (providers' written by `gateway scaffold`) to verify the recording against."""
SETTLE_SECONDS = 10.0


def _lines(directory: Path) -> list[str]:
    return [text for path in sorted(directory.glob("*.jsonl")) for text in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parity catalogue's traffic, served by legacy and recorded whole, as a directory of *.jsonl files."""
    workdir = tmp_path_factory.mktemp("recorded")
    flags = workdir / "flags.yaml"
    flags.write_text("apis:\n" + "".join(f"  {api}:\n    record: 1\n" for api in RECORDED_APIS))
    with GatewayProcess(flags, workdir, extra_args=["--apis", APIS]) as gateway:

        async def run_catalogues() -> int:
            async with httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as client:
                served = Served(client, "legacy", RouteIndex(load_routes(ServerSettings(apis=APIS))))
                for path in catalogue_files():
                    await replay(served, load_catalogue(path))
            return sum(1 for line in gateway.request_lines() if line.get("api") in RECORDED_APIS)

        requests = asyncio.run(run_catalogues())
        recordings = workdir / "data" / "recordings"
        deadline = time.monotonic() + SETTLE_SECONDS
        while len(_lines(recordings)) < requests and time.monotonic() < deadline:
            time.sleep(0.05)
    assert requests and len(_lines(recordings)) >= requests
    return recordings


def _verify(*args: str | Path, apis: str = APIS) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "gateway", "verify", "--apis", apis, *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("side", ["migrated", "legacy"])
def test_recorded_catalogue_verifies_against_either_side(corpus: Path, side: str, tmp_path: Path) -> None:
    junit = tmp_path / "verify.xml"
    result = _verify(corpus, "--side", side, "--junit", junit)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().splitlines()[-1].startswith("PASS: ")
    suites = ElementTree.parse(junit).getroot()
    assert {suite.get("name") for suite in suites} >= {"models", "files", "batches", "providers"}
    assert not suites.findall(".//failure")


def test_drifting_router_fails_verify_naming_each_drift(corpus: Path, tmp_path: Path) -> None:
    junit = tmp_path / "verify.xml"
    result = _verify(corpus, "--api", "models", "--junit", junit, apis=f"{APIS}:drifting_registry")
    assert result.returncode == 1, result.stdout + result.stderr
    # The drifts of tests/proof/drifting_routers.py: an extra call, a filtered field.
    assert "calls[" in result.stdout and "get_model" in result.stdout
    assert "body $" in result.stdout
    failures = ElementTree.parse(junit).getroot().findall(".//failure")
    assert failures and all("mismatch" in (failure.text or "") for failure in failures)
