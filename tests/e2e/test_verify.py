"""`gateway verify` on traffic a real `gateway serve` recorded: the parity catalogue, replayed offline."""

from __future__ import annotations

import asyncio
import json
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
RECORDED_APIS = ("models", "files", "inference", "batches", "inspect")
"""Every API with a router (providers has none: verifying it against the router would be unverifiable)."""
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
    assert {suite.get("name") for suite in suites} >= {"models", "files", "batches"}
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


def test_an_edited_response_fails_with_its_file_line_and_diff(corpus: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.jsonl"
    lines = [json.loads(text) for text in _lines(corpus)]
    target = next(line for line in lines if line["route"] == "POST /v1/models")
    target["response"]["status"] = 299
    edited.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = _verify(edited, "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert [problem["kind"] for problem in report["problems"]] == ["mismatch"]
    assert report["problems"][0]["where"] == f"{edited}:{lines.index(target) + 1}"
    assert "status: recorded 299 | migrated 20" in report["problems"][0]["text"]


def test_an_exception_that_does_not_rebuild_is_unverifiable_and_fails(corpus: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.jsonl"
    line = next(json.loads(text) for text in _lines(corpus) if '"raised"' in text)
    call = next(call for call in line["calls"] if "raised" in call["outcome"])
    call["outcome"]["raised"]["type"] = "no_such_module:Gone"
    edited.write_text(json.dumps(line) + "\n")
    result = _verify(edited)
    assert result.returncode == 1
    assert "0 mismatch, 1 unverifiable" in result.stdout
    assert "'no_such_module:Gone' is not importable" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{"format": 1, "api": "models"', "bad.jsonl:2: not a JSON line (truncated?)", id="truncated"),
        pytest.param('{"format": 2}\n', "bad.jsonl:2: unknown format 2", id="format"),
        pytest.param("garbage\n", "bad.jsonl:2: not a JSON line", id="garbage"),
    ],
)
def test_bad_corpus_exits_2_naming_file_and_line(corpus: Path, tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_lines(corpus)[0] + "\n" + text)
    result = _verify(bad)
    assert result.returncode == 2
    assert message in result.stderr


def test_unknown_api_exits_2_with_the_closest_name(corpus: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "renamed.jsonl"
    line = json.loads(_lines(corpus)[0])
    renamed.write_text(json.dumps({**line, "api": "modles"}) + "\n")
    assert "did you mean 'models'?" in _verify(renamed).stderr
    result = _verify(corpus, "--api", "modls")
    assert result.returncode == 2
    assert "did you mean 'models'?" in result.stderr
