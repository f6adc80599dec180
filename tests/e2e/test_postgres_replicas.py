"""Two `gateway serve` replicas on one PostgreSQL server, as on two machines: each its own data directory.

The server is Debian's PostgreSQL, started by the session on a free loopback port (see
tests/postgres_server.py). The replicas follow one ConfigMap-style flag directory, share
files and batches through the database, and a batch whose owner is killed is finished by
the other replica once the owner's lease lapses, with no request answered twice.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.gateway_process import ConfigMapFlags, GatewayProcess, LogLine, serve_expecting_failure
from tests.postgres_server import PostgresServer

# Short, so that a killed owner's batch is taken over within seconds; the default is 30 s.
LEASE = 1.5
BATCH_DEADLINE = 20.0


def flags(mode: str) -> str:
    return f"default: legacy\napis:\n  models: {mode}\n"


def replica(name: str, flag_file: Path, tmp_path: Path, database: str, *, lease: float = 30.0) -> GatewayProcess:
    """A replica with a data directory of its own: all it shares with the others is the database."""
    workdir = tmp_path / name
    workdir.mkdir()
    # From the environment, as a Kubernetes Secret gives it: the process list would show an option.
    return GatewayProcess(
        flag_file, workdir, extra_args=["--database-lease", str(lease)], environment={"GATEWAY_DATABASE": database}
    )


def line(custom_id: str, model: str, text: str) -> dict[str, Any]:
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}


def create_batch(base_url: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    content = "".join(httpx.Response(200, json=item).text + "\n" for item in lines).encode()
    uploaded = httpx.post(f"{base_url}/v1/files", files={"file": ("in.jsonl", content)}, data={"purpose": "batch"})
    assert uploaded.status_code == 200, uploaded.text
    body = {"input_file_id": uploaded.json()["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    created = httpx.post(f"{base_url}/v1/batches", json=body)
    assert created.status_code == 200, created.text
    batch: dict[str, Any] = created.json()
    return batch


def wait_for_batch(base_url: str, batch_id: str, done: Any) -> dict[str, Any]:
    deadline = time.monotonic() + BATCH_DEADLINE
    while True:
        batch: dict[str, Any] = httpx.get(f"{base_url}/v1/batches/{batch_id}").json()
        if done(batch):
            return batch
        assert time.monotonic() < deadline, f"batch still {batch['status']} after {BATCH_DEADLINE} s: {batch}"
        time.sleep(0.02)


def output_ids(base_url: str, batch: dict[str, Any]) -> list[str]:
    content = httpx.get(f"{base_url}/v1/files/{batch['output_file_id']}/content").text
    return [httpx.Response(200, text=raw).json()["custom_id"] for raw in content.splitlines() if raw.strip()]


def runs_of(batch_id: str, *replicas: GatewayProcess) -> list[LogLine]:
    return [
        line for gateway in replicas for line in gateway.events("batch_run_started") if line["batch_id"] == batch_id
    ]


def logged_at(line: LogLine) -> float:
    return datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00")).timestamp()


@pytest.fixture
def database(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database()


def test_two_replicas_follow_one_configmap_and_share_files_and_batches(tmp_path: Path, database: str) -> None:
    configmap = ConfigMapFlags(tmp_path / "configmap", flags("legacy"))
    with (
        replica("one", configmap.path, tmp_path, database) as one,
        replica("other", configmap.path, tmp_path, database) as other,
    ):
        configmap.swap(flags("migrated"))
        for gateway in (one, other):
            gateway.wait_for_log(lambda line: line["event"] == "flags_changed", what="flags_changed")
            assert httpx.get(f"{gateway.base_url}/v1/models").headers["x-gateway-backend"] == "migrated"

        content = b"uploaded through one \x00\xff"
        uploaded = httpx.post(f"{one.base_url}/v1/files", files={"file": ("a.bin", content)}, data={"purpose": "batch"})
        assert httpx.get(f"{other.base_url}/v1/files/{uploaded.json()['id']}/content").content == content

        lines = [line(f"req-{n}", "echo", f"request {n}") for n in range(5)]
        created = create_batch(one.base_url, lines)
        batch = wait_for_batch(other.base_url, created["id"], lambda b: b["status"] == "completed")

        assert batch["request_counts"] == {"total": 5, "completed": 5, "failed": 0}
        assert output_ids(other.base_url, batch) == [item["custom_id"] for item in lines]
        # Run exactly once: by the replica it was created through, and never by the other.
        assert [run["worker"].split(":")[1] for run in runs_of(created["id"], one, other)] == [str(one.pid)]


def test_a_killed_owners_batch_is_finished_by_the_other_replica_with_no_request_run_twice(
    tmp_path: Path, database: str
) -> None:
    configmap = ConfigMapFlags(tmp_path / "configmap", flags("legacy"))
    # 12 requests of 5 words at 20 ms a word: over a second in all, so the kill comes mid-batch.
    lines = [line(f"req-{n:02}", "slow-echo", "one two three four five") for n in range(12)]
    with (
        replica("owner", configmap.path, tmp_path, database, lease=LEASE) as owner,
        replica("survivor", configmap.path, tmp_path, database, lease=LEASE) as survivor,
    ):
        created = create_batch(owner.base_url, lines)
        wait_for_batch(survivor.base_url, created["id"], lambda b: b["request_counts"]["completed"] >= 3)

        owner.send_signal(signal.SIGKILL)
        killed_at = time.time()
        taken = survivor.wait_for_log(
            lambda line: line["event"] == "batch_taken_over" and line["batch_id"] == created["id"],
            what="batch_taken_over",
            timeout=LEASE * 4,
        )
        batch = wait_for_batch(survivor.base_url, created["id"], lambda b: b["status"] == "completed")

        takeover = logged_at(taken) - killed_at
        ids = output_ids(survivor.base_url, batch)
        duplicates = sum(count - 1 for count in Counter(ids).values())
        print(f"\ntwo replicas, lease {LEASE} s: takeover {takeover:.2f} s after SIGKILL, duplicates {duplicates}")
        # What was left of the lease (at most all of it) and the survivor's next look (a third of one), and slack.
        assert takeover < LEASE * 3
        assert duplicates == 0
        assert ids == [item["custom_id"] for item in lines]
        assert batch["request_counts"] == {"total": 12, "completed": 12, "failed": 0}
        outputs = [
            f for f in httpx.get(f"{survivor.base_url}/v1/files").json()["data"] if f["purpose"] == "batch_output"
        ]
        assert [f["id"] for f in outputs] == [batch["output_file_id"]]


def test_an_unreachable_database_stops_start_up_naming_it_without_the_password(tmp_path: Path) -> None:
    flag_file = tmp_path / "flags.yaml"
    flag_file.write_text(flags("legacy"))
    url = "postgresql://gw:hunter2@127.0.0.1:9/gw"

    result = serve_expecting_failure(flag_file, tmp_path, "--database", url)

    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "database postgresql://gw:***@127.0.0.1:9/gw: cannot connect: connection failed" in result.stdout
    assert "error: the APIs did not start" in result.stderr
    assert "hunter2" not in output
    assert "Traceback" not in output
