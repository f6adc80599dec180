"""`gateway logs` over the lines a real `gateway serve` wrote: a file, a pipe, a followed file, a terminal."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gateway.cli import app
from tests.e2e.gateway_process import GatewayProcess, run_on_a_terminal, write_flags_atomically

runner = CliRunner()
FOLLOW_DEADLINE = 10.0


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a server wrote while `models` moved from migrated to legacy, with a 404 of each kind on the way."""
    workdir = tmp_path_factory.mktemp("logs-command")
    flags_path = workdir / "flags.yaml"
    flags_path.write_text("default: legacy\napis:\n  models: migrated\n")
    with (
        GatewayProcess(flags_path, workdir) as gateway,
        httpx.Client(base_url=gateway.base_url, timeout=5.0) as client,
    ):
        for _ in range(3):
            client.get("/v1/models")
        client.get("/v1/models/no-such-model")
        client.get("/v1/files")
        client.get("/nobody/owns/this")
        write_flags_atomically(flags_path, "default: legacy\n")
        gateway.wait_for_log(lambda line: line["event"] == "flags_changed", what="flags_changed")
        for _ in range(2):
            client.get("/v1/models")
    return gateway.stdout_path


def _summary_rows(output: str) -> dict[tuple[str, str], list[str]]:
    """The summary table's rows by (route, side): requests, 4xx, 5xx, p50, p99."""
    rows = {}
    for line in output.split("Requests per route and side", 1)[1].splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == 7 and cells[0] != "route":
            rows[(cells[0], cells[1])] = cells[2:]
    return rows


def _gateway_logs(*arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "logs", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_logs_file_summary_counts_each_route_and_side(server_log: Path) -> None:
    result = runner.invoke(app, ["logs", str(server_log)])
    assert result.exit_code == 0, result.output
    rows = _summary_rows(result.output)
    assert rows[("GET /v1/models", "migrated")][:3] == ["3", "0", "0"]
    assert rows[("GET /v1/models", "legacy")][:3] == ["2", "0", "0"]
    assert rows[("GET /v1/models/{model_id:path}", "migrated")][:3] == ["1", "1", "0"]
    assert rows[("GET -", "gateway")][:3] == ["1", "1", "0"]
    p50, p99 = (float(value) for value in rows[("GET /v1/models", "migrated")][3:])
    assert 0 < p50 <= p99


def test_logs_filters_by_api_and_backend_and_keeps_the_flag_change(server_log: Path) -> None:
    result = runner.invoke(app, ["logs", str(server_log), "--api", "models", "--backend", "legacy"])
    assert result.exit_code == 0, result.output
    shown = result.output.split("Requests per route and side", 1)[0]
    requests = [line for line in shown.splitlines() if " GET /" in line]
    assert len(requests) == 2 and all(" legacy " in line and "/v1/models" in line for line in requests)
    assert "flags_changed" in shown and '"old": "migrated", "new": "legacy"' in shown
    assert list(_summary_rows(result.output)) == [("GET /v1/models", "legacy")]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param(
            ["--status", "404"], {("GET /v1/models/{model_id:path}", "migrated"), ("GET -", "gateway")}, id="404"
        ),
        pytest.param(
            ["--status", "2xx", "--route", "GET /v1/files"], {("GET /v1/files", "legacy")}, id="2xx-route-key"
        ),
        pytest.param(
            ["--route", "/v1/models/{model_id:path}"], {("GET /v1/models/{model_id:path}", "migrated")}, id="template"
        ),
        pytest.param(["--status", "5xx"], set(), id="nothing-matched"),
    ],
)
def test_logs_filters_by_status_and_route(server_log: Path, options: list[str], expected: set[tuple[str, str]]) -> None:
    result = runner.invoke(app, ["logs", str(server_log), *options])
    assert result.exit_code == 0, result.output
    if expected:
        assert set(_summary_rows(result.output)) == expected
    else:
        assert "No request line matched." in result.output


def test_logs_reads_a_pipe_and_writes_no_colour_to_one(server_log: Path) -> None:
    result = _gateway_logs("--backend", "gateway", stdin=server_log.read_text() + "not json\n")
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    assert list(_summary_rows(result.stdout)) == [("GET -", "gateway")]
    assert "GET /nobody/owns/this" in result.stdout
    assert "1 lines that are not JSON objects were skipped." in result.stdout


def test_logs_follow_prints_lines_added_later_and_sums_up_on_ctrl_c(server_log: Path, tmp_path: Path) -> None:
    lines = server_log.read_text().splitlines(keepends=True)
    requests = [line for line in lines if '"event": "request"' in line and "/v1/files" in line]
    growing = tmp_path / "growing.jsonl"
    growing.write_text("".join(requests))
    output = tmp_path / "output.txt"
    with output.open("w") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "logs", str(growing), "--follow"], stdout=stdout, stderr=subprocess.PIPE
        )
    try:
        with growing.open("a") as appending:
            # A line written in two goes is printed once, whole.
            appending.write(requests[0][:40])
            appending.flush()
            time.sleep(0.3)
            appending.write(requests[0][40:])
        deadline = time.monotonic() + FOLLOW_DEADLINE
        while output.read_text().count(" ms  files /v1/files") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    text = output.read_text()
    assert text.split("Requests per route and side")[0].count("GET /v1/files") == 2
    assert _summary_rows(text)[("GET /v1/files", "legacy")][:3] == ["2", "0", "0"]


@pytest.mark.parametrize(
    ("environment", "coloured"),
    [pytest.param({}, True, id="terminal"), pytest.param({"NO_COLOR": "1"}, False, id="no-color")],
)
def test_logs_colours_a_terminal_unless_no_color(
    server_log: Path, tmp_path: Path, environment: dict[str, str], coloured: bool
) -> None:
    written = run_on_a_terminal(["logs", str(server_log)], tmp_path, environment=environment, until=b"p99 ms")
    assert b"GET /v1/models" in written
    assert (b"\x1b[" in written) is coloured
