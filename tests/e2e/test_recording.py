"""Recording against a real `gateway serve`: the exchanges legacy serves written down as JSON Lines."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.gateway_process import GatewayProcess

APIS = ["--apis", "tests.e2e.shadow_apis"]
SETTLE_SECONDS = 10.0


def _recorded(directory: Path, count: int) -> list[dict[str, Any]]:
    """The lines of the test's own requests (not the readiness probes), once there are `count` of them."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        texts = [text for path in sorted(directory.glob("*.jsonl")) for text in path.read_text().splitlines()]
        lines = [json.loads(text) for text in texts]
        ours = [line for line in lines if line["request"]["path"] != "/v1/health"]
        if len(ours) >= count or time.monotonic() > deadline:
            return ours
        time.sleep(0.05)


def _writer_processes(root: int) -> list[int]:
    """The recording writer processes under process `root`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            running_writer = b"proof.record.writer_process" in (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError):
            continue
        # `gateway serve --workers 1` is its one worker, or its parent.
        if running_writer and (parent == root or _parent(parent) == root):
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running still: not gone, nor a zombie (whose pipes are closed) waiting for its parent."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except OSError:
        return None


def test_legacy_exchanges_are_recorded_with_their_calls_and_secrets_redacted(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models:\n    mode: legacy\n    record: 1\n")
    records = tmp_path / "records"
    args = [*APIS, "--record-dir", str(records), "--record-redact", "X-Team-Secret"]
    with GatewayProcess(flags, tmp_path, extra_args=args) as gateway, httpx.Client(base_url=gateway.base_url) as client:
        headers = {"authorization": "Bearer s3cret", "x-team-secret": "hush", "x-provider-data": '{"k": "v"}'}
        created = client.post("/v1/models", json={"model_id": "team/rec"}, headers=headers)
        missing = client.get("/v1/models/nope")
        client.get("/v1/files")  # files has no `record`: nothing written
        lines = _recorded(records, 2)
    assert [line["route"] for line in lines] == ["POST /v1/models", "GET /v1/models/{model_id:path}"]
    post, get = lines
    assert post["format"] == 1 and post["api"] == "models"
    assert post["response"]["status"] == created.status_code
    assert json.loads(post["response"]["body"]) == created.json()
    assert json.loads(post["request"]["body"]) == {"model_id": "team/rec"}
    sent = dict(post["request"]["headers"])
    assert sent["authorization"] == sent["x-team-secret"] == sent["x-provider-data"] == "<redacted>"
    assert "s3cret" not in json.dumps(lines) and "hush" not in json.dumps(lines)
    assert post["calls"] and "returned" in post["calls"][0]["outcome"]
    assert get["response"]["status"] == missing.status_code == 404
    assert get["calls"][0]["outcome"]["raised"]["type"].count(":") == 1


def test_recording_follows_the_flag_file_and_rotates(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models:\n    record: 1\n")
    with GatewayProcess(flags, tmp_path, extra_args=[*APIS, "--record-max-mb", "1"]) as gateway:
        records = tmp_path / "data" / "recordings"
        with httpx.Client(base_url=gateway.base_url) as client:
            big = "x" * 300_000
            for index in range(8):
                client.post("/v1/models", json={"model_id": f"team/{index}", "metadata": {"pad": big}})
        lines = _recorded(records, 8)
    files = sorted(records.glob("*.jsonl"))
    assert len(lines) == 8
    assert len(files) >= 2, files
    assert all(path.stat().st_size <= 2**20 for path in files)


def test_shadow_mode_records_through_the_shadow_tap_and_still_matches(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models:\n    mode: shadow\n    record: 1\n")
    with GatewayProcess(flags, tmp_path, extra_args=APIS) as gateway, httpx.Client(base_url=gateway.base_url) as client:
        client.post("/v1/models", json={"model_id": "team/shadowed"})
        client.get("/v1/models/team/shadowed")
        lines = _recorded(tmp_path / "data" / "recordings", 2)
        deadline = time.monotonic() + SETTLE_SECONDS
        while len(shadowed := gateway.events("shadow")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [line["route"] for line in lines] == ["POST /v1/models", "GET /v1/models/{model_id:path}"]
    # One capture served both: the recorded calls and the shadow's comparison alike.
    assert all(line["calls"] for line in lines)
    assert {line["result"] for line in shadowed} == {"match"}


def test_a_writer_process_that_dies_costs_lines_not_requests_and_the_gateway_still_stops(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models:\n    mode: legacy\n    record: 1\n")
    with GatewayProcess(flags, tmp_path, extra_args=APIS) as gateway, httpx.Client(base_url=gateway.base_url) as client:
        client.get("/v1/models/echo")
        assert len(_recorded(tmp_path / "data" / "recordings", 1)) == 1
        (writer,) = _writer_processes(gateway.pid)
        os.kill(writer, signal.SIGKILL)
        while _alive(writer):
            time.sleep(0.01)
        answers = {client.get("/v1/models/echo").status_code for _ in range(20)}
        deadline = time.monotonic() + SETTLE_SECONDS
        dropped = 'gateway_record_dropped_total{api="models"} 20.0'
        while dropped not in (metrics := client.get("/metrics").text) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert answers == {200}
    assert dropped in metrics
    # Its shutdown ran to the end: it was not killed for want of the writer.
    assert gateway.events("Application shutdown complete.") and gateway.returncode != -signal.SIGKILL
    (died,) = gateway.events("record_writer_died")
    assert died["level"] == "error"
