"""Shadow mode against a real `gateway serve`: legacy answers, the router is compared on replayed calls."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from gateway.cli.common import load_routes
from gateway.routes import RouteIndex
from gateway.settings import ServerSettings
from tests.e2e.gateway_process import PROBE_REQUEST_ID_PREFIX, GatewayProcess, LogLine
from tests.parity.replay import Served, catalogue_files, load_catalogue, replay

APIS = ["--apis", "tests.e2e.shadow_apis"]
SETTLE_SECONDS = 10.0
WORKERS = 2


def _shadow_lines(gateway: GatewayProcess) -> list[LogLine]:
    # The readiness probes of `GatewayProcess` (GET /v1/health) are shadowed too; they are not the test's.
    return [line for line in gateway.events("shadow") if not line["request_id"].startswith(PROBE_REQUEST_ID_PREFIX)]


def _settled(gateway: GatewayProcess, count: int) -> list[LogLine]:
    """The shadow lines of the test's requests, once there are `count` of them."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while len(lines := _shadow_lines(gateway)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(lines) == count, f"{len(lines)} shadow lines, expected {count}\n{gateway.describe()}"
    return lines


def _shadowed_requests(gateway: GatewayProcess) -> list[LogLine]:
    # Every API request: each API has a router to compare.
    return [line for line in gateway.request_lines() if line.get("api") is not None]


def test_parity_catalogue_all_shadowed_matches_and_calls_the_implementation_once(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: shadow\n")
    # Every request compared, however fast the catalogue goes: the point here is parity, not pacing.
    with GatewayProcess(flags, tmp_path, extra_args=[*APIS, "--shadow-busy-share", "1"]) as gateway:

        async def run_catalogues() -> None:
            async with httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as client:
                # In shadow mode legacy answers every route: the replay checks each answer says so.
                served = Served(client, "legacy", RouteIndex(load_routes(ServerSettings(apis="tests.e2e.shadow_apis"))))
                for path in catalogue_files():
                    await replay(served, load_catalogue(path))

        asyncio.run(run_catalogues())
        requests = _shadowed_requests(gateway)
        lines = _settled(gateway, len(requests))
        calls = gateway.events("implementation_call")
    assert {line["backend"] for line in requests} == {"legacy"}
    assert Counter((line["result"], line["reason"]) for line in lines) == {("match", None): len(requests)}
    assert {line["request_id"] for line in lines} == {line["request_id"] for line in requests}
    # The implementation ran for the legacy side's answer only: never while a router was compared.
    assert calls and not [call for call in calls if call.get("backend") == "shadow"]
    by_request = Counter(call["request_id"] for call in calls if call.get("backend") == "legacy")
    assert len(by_request) > len(requests) / 2


def test_shadowed_post_delete_and_upload_leave_exactly_one_effect(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: shadow\n")
    with GatewayProcess(flags, tmp_path, extra_args=APIS) as gateway, httpx.Client(base_url=gateway.base_url) as client:
        model = client.post("/v1/models", json={"model_id": "team/once"})
        models = [m["id"] for m in client.get("/v1/models").json()["data"]]
        upload = client.post("/v1/files", files={"file": ("a.txt", b"hello")}, data={"purpose": "batch"})
        stored = sorted(p.name for p in (tmp_path / "data" / "files").iterdir())
        deleted_model = client.delete("/v1/models/team/once")
        deleted_file = client.delete(f"/v1/files/{upload.json()['id']}")
        left = client.get("/v1/files").json()["data"]
        lines = _settled(gateway, 6)
    assert [model.status_code, upload.status_code, deleted_model.status_code, deleted_file.status_code] == [
        200,
        200,
        204,
        200,
    ]
    assert models.count("team/once") == 1
    assert stored == [upload.json()["id"]]
    assert left == [] and not any((tmp_path / "data" / "files").iterdir())
    # A second real delete would have answered 404 to the router: every comparison matched.
    assert [line["result"] for line in lines] == ["match"] * 6


def test_shadow_sample_zero_and_one(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models:\n    mode: shadow\n    sample: 0\n  files:\n    mode: shadow\n    sample: 1\n")
    with GatewayProcess(flags, tmp_path, extra_args=APIS) as gateway, httpx.Client(base_url=gateway.base_url) as client:
        answers = [client.get("/v1/models") for _ in range(5)] + [client.get("/v1/files") for _ in range(5)]
        lines = _settled(gateway, 10)
    assert {a.status_code for a in answers} == {200}
    assert Counter((line["api"], line["result"], line["reason"]) for line in lines) == {
        ("models", "skipped", "sampled_out"): 5,
        ("files", "match", None): 5,
    }


def test_shadow_queue_overflow_under_load_is_counted_and_fails_no_client(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models: shadow\n")
    with GatewayProcess(flags, tmp_path, extra_args=[*APIS, "--shadow-queue", "2"]) as gateway:

        def client_run(_: int) -> list[int]:
            with httpx.Client(base_url=gateway.base_url, timeout=10) as client:
                return [client.get("/v1/models/echo").status_code for _ in range(25)]

        with ThreadPoolExecutor(16) as pool:
            statuses = [status for run in pool.map(client_run, range(16)) for status in run]
        lines = _settled(gateway, len(statuses))
        status = httpx.get(f"{gateway.base_url}/_gateway/status").json()
    assert Counter(statuses) == {200: 400}
    results = Counter((line["result"], line["reason"]) for line in lines)
    assert results[("skipped", "queue_full")] > 0
    assert set(results) <= {("match", None), ("skipped", "queue_full")}
    shadow = status["apis"]["models"]["routes"]["GET /v1/models/{model_id:path}"]["shadow"]
    assert shadow["compared"] + shadow["skipped"] == 400 and shadow["mismatched"] == 0


def test_shadow_mismatch_logged_and_shown_in_status(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models: shadow\n")
    extra = ["--apis", "tests.e2e.shadow_apis:drifting_registry"]
    with (
        GatewayProcess(flags, tmp_path, extra_args=extra) as gateway,
        httpx.Client(base_url=gateway.base_url) as client,
    ):
        client.post("/v1/models", json={"model_id": "team/drift"})
        deleted = client.delete("/v1/models/team/drift", headers={"x-request-id": "drifted-delete"})
        lines = _settled(gateway, 2)
        status = client.get("/_gateway/status").json()
        metrics = client.get("/metrics").text
    assert deleted.status_code == 204 and deleted.headers["x-gateway-backend"] == "legacy"
    mismatch = next(line for line in lines if line["request_id"] == "drifted-delete")
    assert (mismatch["result"], mismatch["api"], mismatch["route"]) == (
        "mismatch",
        "models",
        "/v1/models/{model_id:path}",
    )
    assert mismatch["diff"].startswith("status: legacy 204 | migrated 200")
    block = status["apis"]["models"]["routes"]["DELETE /v1/models/{model_id:path}"]["shadow"]
    assert block["mismatched"] == 1 and block["last_mismatch"]["diff"] == mismatch["diff"]
    assert block["last_mismatch"]["request_id"] == "drifted-delete"
    assert 'gateway_shadow_total{api="models",method="DELETE",result="mismatch"' in metrics


def test_shadow_counts_and_last_mismatch_in_status_cover_every_worker(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models: shadow\n")
    extra = ["--apis", "tests.e2e.shadow_apis:drifting_registry", "--shadow-busy-share", "1"]
    with (
        GatewayProcess(flags, tmp_path, workers=WORKERS, extra_args=extra) as gateway,
        # A new connection each time, so the kernel may hand the request to either worker.
        httpx.Client(base_url=gateway.base_url, headers={"connection": "close"}) as client,
    ):
        # The drifting router calls the implementation once more on this route: every comparison mismatches.
        pids, sent = gateway.meet_every_worker(
            lambda request_id: client.get("/v1/models", headers={"x-request-id": request_id}), "spread-"
        )
        assert len(pids) == WORKERS, f"one worker only answered spread- requests\n{gateway.describe()}"
        _settled(gateway, sent)
        client.get("/v1/models", headers={"x-request-id": "newest"})
        _settled(gateway, sent + 1)
        answers: list[dict[str, Any]] = []
        pids, _ = gateway.meet_every_worker(
            lambda request_id: answers.append(
                client.get("/_gateway/status", headers={"x-request-id": request_id}).json()
            ),
            "status-",
        )
        assert len(pids) == WORKERS, f"one worker only answered status- requests\n{gateway.describe()}"
    for status in answers:
        assert status["workers"] == WORKERS
        shadow = status["apis"]["models"]["routes"]["GET /v1/models"]["shadow"]
        assert (shadow["compared"], shadow["mismatched"], shadow["skipped"]) == (sent + 1, sent + 1, 0)
        assert shadow["last_mismatch"]["request_id"] == "newest"
        assert shadow["last_mismatch"]["diff"].startswith("calls[0] list_models")
