"""Canary across real worker processes: the same users on the same side, and a rollback every worker follows."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from gateway.rollout.buckets import bucket
from tests.e2e.gateway_process import GatewayProcess, write_flags_atomically
from tests.gateway.rollout import canary_api

WORKERS = 2
USERS = [f"user-{number}" for number in range(40)]
MAX_REQUESTS_TO_MEET_EVERY_WORKER = 300
FOLLOW_DEADLINE = 1.0
CLEAR_DEADLINE = 3.0
PETS = ["--apis", "tests.gateway.rollout.canary_api"]


def _get(client: httpx.Client, path: str, request_id: str, **headers: str) -> httpx.Response:
    # A new connection each time, so the kernel may hand the request to either worker.
    response = client.get(path, headers={"connection": "close", "x-request-id": request_id, **headers})
    assert response.status_code == 200, response.text
    return response


def _sides_by_user(gateway: GatewayProcess, prefix: str) -> dict[str, set[str]]:
    sides: dict[str, set[str]] = {}
    with httpx.Client(base_url=gateway.base_url, timeout=5.0) as client:
        # A worker may still be starting when the first answers.
        pids, _ = gateway.meet_every_worker(lambda request_id: _get(client, "/v1/health", request_id), f"meet-{prefix}")
        assert len(pids) == WORKERS, f"one worker only answered\n{gateway.describe()}"
        for round_ in range(3):
            for user in USERS:
                response = _get(client, "/v1/models", f"{prefix}{round_}-{user}", **{"x-user-id": user})
                sides.setdefault(user, set()).add(response.headers["x-gateway-backend"])
    return sides


def test_gateway_canary_sticky_users_keep_their_side_across_workers_and_a_restart(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models:\n    mode: canary\n    percent: 30\n    sticky: header:x-user-id\n")
    expected = {user: {"migrated" if bucket("models", user) < 3000 else "legacy"} for user in USERS}
    with GatewayProcess(flags, tmp_path, workers=WORKERS) as gateway:
        assert _sides_by_user(gateway, "first-") == expected
        lines = [line for line in gateway.request_lines() if line["request_id"].startswith("first-")]
        assert len({line["pid"] for line in lines}) == WORKERS, gateway.describe()
        assert {line["mode"] for line in lines} == {"canary"}
    with GatewayProcess(flags, tmp_path, workers=WORKERS) as restarted:
        assert _sides_by_user(restarted, "restarted-") == expected


def _rolled_back(gateway: GatewayProcess, client: httpx.Client) -> dict[str, object]:
    routes = client.get("/_gateway/status").json()["apis"]["pets"]["routes"]
    return {key: route["canary"]["rolled_back"] for key, route in routes.items()}


def test_gateway_canary_failing_route_is_rolled_back_in_every_worker_until_the_flags_change(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    rules = "{max_5xx_ratio: 2, min_requests: 10, window_s: 30}"
    flags.write_text(f"apis:\n  pets:\n    mode: canary\n    percent: 50\n    rollback: {rules}\n")
    with (
        GatewayProcess(flags, tmp_path, workers=WORKERS, extra_args=PETS) as gateway,
        httpx.Client(base_url=gateway.base_url, timeout=5.0) as client,
    ):
        for _ in range(200):
            client.get("/v1/pets/failing", headers={"connection": "close"})
            if gateway.events("rollback"):
                break
        [rollback] = gateway.events("rollback")
        assert (rollback["api"], rollback["route"], rollback["rule"]) == ("pets", canary_api.FAILING, "max_5xx_ratio")

        time.sleep(FOLLOW_DEADLINE)
        pids: set[int] = set()
        for number in range(MAX_REQUESTS_TO_MEET_EVERY_WORKER):
            response = _get(client, "/v1/pets/failing", f"after-{number}")
            assert response.headers["x-gateway-backend"] == "legacy"
            if number % 10 == 9:
                pids = {line["pid"] for line in gateway.request_lines() if line["request_id"].startswith("after-")}
                if len(pids) == WORKERS:
                    break
        assert len(pids) == WORKERS, gateway.describe()
        after = [line for line in gateway.request_lines() if line["request_id"].startswith("after-")]
        assert {line["reason"] for line in after} == {"rollback"}

        steady = {_get(client, "/v1/pets", f"steady-{n}").headers["x-gateway-backend"] for n in range(40)}
        assert steady == {"legacy", "migrated"}
        rolled_back = _rolled_back(gateway, client)
        assert rolled_back[canary_api.STEADY] is None
        assert rolled_back[canary_api.FAILING]["rule"] == "max_5xx_ratio"  # type: ignore[index]
        assert 'rule="max_5xx_ratio"} 1.0' in client.get("/metrics").text

        write_flags_atomically(flags, f"apis:\n  pets:\n    mode: canary\n    percent: 60\n    rollback: {rules}\n")
        written = time.monotonic()
        while _rolled_back(gateway, client)[canary_api.FAILING] is not None:
            assert time.monotonic() - written < CLEAR_DEADLINE, "the flag edit did not clear the rollback"
            time.sleep(0.05)
        # The router serves the route again (and fails on it again, so only a few requests).
        while client.get("/v1/pets/failing").headers["x-gateway-backend"] != "migrated":
            assert time.monotonic() - written < CLEAR_DEADLINE, "the router never served the route again"
