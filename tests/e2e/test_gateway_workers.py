"""Several worker processes, each following the flag file on its own."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from tests.e2e.gateway_process import GatewayProcess, write_flags_atomically

WORKERS = 2
FLIP_DEADLINE = 2.0
CONSECUTIVE = 20


def _get_models(client: httpx.Client, request_id: str) -> httpx.Response:
    # A new connection each time, so the kernel may hand the request to either worker.
    response = client.get("/v1/models", headers={"connection": "close", "x-request-id": request_id})
    assert response.status_code == 200, response.text
    return response


def test_gateway_two_workers_follow_a_flip(tmp_path: Path) -> None:
    flags_path = tmp_path / "flags.yaml"
    flags_path.write_text("default: legacy\napis:\n  models: legacy\n")
    with (
        GatewayProcess(flags_path, tmp_path, workers=WORKERS) as gateway,
        httpx.Client(base_url=gateway.base_url, timeout=5.0) as client,
    ):
        # Both workers serve before the flip, so each must pick it up from the file.
        before, _ = gateway.meet_every_worker(lambda request_id: _get_models(client, request_id), "before-")
        assert len(before) == WORKERS, f"one worker only answered: {before}\n{gateway.describe()}"
        assert gateway.pid not in before, "requests served by the supervisor, not by workers"

        written = time.monotonic()
        write_flags_atomically(flags_path, "default: legacy\napis:\n  models: migrated\n")
        streak, sent = 0, 0
        while streak < CONSECUTIVE:
            assert time.monotonic() - written < FLIP_DEADLINE, f"{streak} in a row after {sent} requests"
            response = _get_models(client, f"flip-{sent}")
            sent += 1
            streak = streak + 1 if response.headers["x-gateway-backend"] == "migrated" else 0
        settled = time.monotonic() - written

        after, _ = gateway.meet_every_worker(lambda request_id: _get_models(client, request_id), "after-")
        gateway.stop()

    assert settled < FLIP_DEADLINE
    assert len(after) == WORKERS, f"one worker only answered after the flip: {after}"
    lines = gateway.request_lines()
    assert {line["backend"] for line in lines if line["request_id"].startswith("after-")} == {"migrated"}
    assert {line["pid"] for line in lines} == before == after
    # Each worker follows the file on its own, so each logs the change.
    assert [line["changes"] for line in gateway.events("flags_changed")] == [
        [{"api": "models", "route": None, "old": "legacy", "new": "migrated"}]
    ] * WORKERS


def test_gateway_workers_metrics_directory_is_removed_when_interrupted(tmp_path: Path) -> None:
    # SIGTERM is the way every other test stops the server (test_gateway_admin checks the directory then).
    flags_path = tmp_path / "flags.yaml"
    flags_path.write_text("default: legacy\n")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    gateway = GatewayProcess(flags_path, tmp_path, workers=WORKERS, environment={"TMPDIR": str(temporary)})
    with gateway:
        assert [path.name.startswith("gateway-metrics-") for path in temporary.iterdir()] == [True]

        status = gateway.stop(signal.SIGINT)

    assert status == 0, gateway.describe()
    assert list(temporary.iterdir()) == []


def test_gateway_workers_status_counts_every_workers_requests(tmp_path: Path) -> None:
    flags_path = tmp_path / "flags.yaml"
    flags_path.write_text("default: legacy\n")
    with (
        GatewayProcess(flags_path, tmp_path, workers=WORKERS) as gateway,
        httpx.Client(base_url=gateway.base_url, timeout=5.0) as client,
    ):
        # Counted as the client sent them: a worker writes its log line after the answer has left.
        pids, sent = gateway.meet_every_worker(lambda request_id: _get_models(client, request_id), "counted-")
        assert len(pids) == WORKERS, f"one worker only answered: {pids}\n{gateway.describe()}"
        # Each status request may reach either worker: every one must show all requests.
        answers = [client.get("/_gateway/status", headers={"connection": "close"}).json() for _ in range(2 * WORKERS)]
        scraped = client.get("/metrics").text
    for status in answers:
        assert status["workers"] == WORKERS
        served = status["apis"]["models"]["routes"]["GET /v1/models"]["stats"]["legacy"]
        assert served["requests"] == sent
        assert served["p50_ms"] > 0
    total = sum(
        float(line.rsplit(" ", 1)[1])
        for line in scraped.splitlines()
        if line.startswith("gateway_requests_total{") and 'route="/v1/models"' in line
    )
    assert total == sent


def _reloads(scraped: str) -> dict[str, float]:
    prefix = "gateway_flags_reloads_total{result="
    return {
        line[len(prefix) :].split('"')[1]: float(line.rsplit(" ", 1)[1])
        for line in scraped.splitlines()
        if line.startswith(prefix)
    }


def test_gateway_workers_metrics_count_each_workers_flag_reloads(tmp_path: Path) -> None:
    flags_path = tmp_path / "flags.yaml"
    flags_path.write_text("default: legacy\n")
    with (
        GatewayProcess(flags_path, tmp_path, workers=WORKERS) as gateway,
        httpx.Client(base_url=gateway.base_url, timeout=5.0) as client,
    ):
        assert _reloads(client.get("/metrics").text) == {"loaded": 0.0, "unchanged": 0.0, "rejected": 0.0}
        # Both workers serving, so both follow the file from before it changes.
        pids, _ = gateway.meet_every_worker(lambda request_id: _get_models(client, request_id), "reloads-")
        assert len(pids) == WORKERS, f"one worker only answered: {pids}\n{gateway.describe()}"
        for text, result in (("apis:\n  models: sideways\n", "rejected"), ("apis:\n  models: migrated\n", "loaded")):
            write_flags_atomically(flags_path, text)
            deadline = time.monotonic() + 10.0
            # Each worker follows the file on its own; any worker's scrape sums them all.
            while (reloads := _reloads(client.get("/metrics").text))[result] < WORKERS:
                assert time.monotonic() < deadline, f"{reloads}\n{gateway.describe()}"
                time.sleep(0.05)
        assert reloads == {"loaded": float(WORKERS), "unchanged": 0.0, "rejected": float(WORKERS)}
