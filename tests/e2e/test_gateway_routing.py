"""Which side serves a request when an API and one of its routes are flagged differently."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.gateway_process import GatewayProcess

FLAGS = """\
default: legacy
apis:
  batches:
    mode: migrated
    routes:
      "POST /v1/batches/{batch_id}/cancel": legacy
"""


def test_gateway_route_override_applies_to_that_route_only(tmp_path: Path) -> None:
    flags_path = tmp_path / "flags.yaml"
    flags_path.write_text(FLAGS)
    expected = {
        # request: (status, backend, route template, reason)
        ("POST", "/v1/batches/batch_unknown/cancel"): (404, "legacy", "/v1/batches/{batch_id}/cancel", "route"),
        ("GET", "/v1/batches/batch_unknown"): (404, "migrated", "/v1/batches/{batch_id}", "api"),
        ("GET", "/v1/batches"): (200, "migrated", "/v1/batches", "api"),
        ("GET", "/v1/files"): (200, "legacy", "/v1/files", "default"),
    }
    answers: dict[str, tuple[str, str]] = {}
    with (
        GatewayProcess(flags_path, tmp_path) as gateway,
        httpx.Client(base_url=gateway.base_url, timeout=5.0) as client,
    ):
        for (method, path), (status, backend, _, _) in expected.items():
            response = client.request(method, path)
            assert (response.status_code, response.headers["x-gateway-backend"]) == (status, backend), (
                f"{method} {path}: {response.status_code} {response.text}"
            )
            if status == 404:
                assert "batch_unknown" in response.json()["detail"]
            answers[response.headers["x-request-id"]] = (method, path)
        gateway.stop()

    lines = {line["request_id"]: line for line in gateway.request_lines()}
    assert lines.keys() == answers.keys()
    for request_id, (method, path) in answers.items():
        line = lines[request_id]
        status, backend, route, reason = expected[(method, path)]
        assert (line["api"], line["route"], line["backend"], line["reason"], line["status"]) == (
            "files" if path == "/v1/files" else "batches",
            route,
            backend,
            reason,
            status,
        )
