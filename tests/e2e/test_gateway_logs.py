"""The gateway's stdout: one JSON `request` line per request with the keys the SPEC lists, and only JSON lines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.gateway_process import GatewayProcess

FLAGS = """\
default: legacy
apis:
  models: migrated
  batches:
    mode: migrated
    routes:
      "POST /v1/batches/{batch_id}/cancel": legacy
"""
REQUEST_KEYS = {
    "event",
    "request_id",
    "method",
    "path",
    "route",
    "api",
    "backend",
    "reason",
    "status",
    "duration_ms",
    "pid",
    "disconnected",
}
# uvicorn's access log: `127.0.0.1:51234 - "GET /v1/models HTTP/1.1" 200`.
ACCESS_LOG = re.compile(r'^\S+:\d+ - "\S+ \S+ HTTP/[\d.]+" \d{3}')


@pytest.fixture
def flags_path(tmp_path: Path) -> Path:
    path = tmp_path / "flags.yaml"
    path.write_text(FLAGS)
    return path


def test_gateway_logs_one_request_line_per_request_with_the_spec_keys(flags_path: Path, tmp_path: Path) -> None:
    chat = {"model": "echo", "messages": [{"role": "user", "content": "hi"}]}
    requests: list[tuple[str, str, dict[str, Any], tuple[Any, ...]]] = [
        # method, path, request options, then (status, backend, api, route template, reason)
        (
            "GET",
            "/v1/models",
            {"headers": {"x-request-id": "mine-1"}},
            (200, "migrated", "models", "/v1/models", "api"),
        ),
        ("GET", "/v1/models/a/b", {}, (404, "migrated", "models", "/v1/models/{model_id:path}", "api")),
        ("GET", "/v1/nowhere", {}, (404, "gateway", None, None, None)),
        ("PUT", "/v1/models", {}, (405, "gateway", None, None, None)),
        ("GET", "/v1/providers", {}, (200, "legacy", "providers", "/v1/providers", "default")),
        (
            "POST",
            "/v1/chat/completions",
            {"json": chat},
            (200, "legacy", "inference", "/v1/chat/completions", "default"),
        ),
        ("POST", "/v1/batches/b1/cancel", {}, (404, "legacy", "batches", "/v1/batches/{batch_id}/cancel", "route")),
        # The gateway's own surface answers with the same headers and line.
        ("GET", "/_gateway/status", {}, (200, "gateway", None, None, None)),
        ("GET", "/_gateway/health", {}, (200, "gateway", None, None, None)),
        ("GET", "/metrics", {}, (200, "gateway", None, None, None)),
        ("GET", "/openapi.json", {}, (200, "gateway", None, None, None)),
        ("GET", "/docs", {"headers": {"x-request-id": "mine-2"}}, (200, "gateway", None, None, None)),
    ]
    sent: list[tuple[httpx.Response, tuple[Any, ...]]] = []
    with (
        GatewayProcess(flags_path, tmp_path) as gateway,
        httpx.Client(base_url=gateway.base_url, timeout=5.0) as client,
    ):
        for method, path, options, expected in requests:
            response = client.request(method, path, **options)
            assert (response.status_code, response.headers["x-gateway-backend"]) == expected[:2], response.text
            sent.append((response, expected))
        # Stopped first, so every line is written before it is read.
        gateway.stop()

    assert sent[0][0].headers["x-request-id"] == "mine-1"
    assert sent[-1][0].headers["x-request-id"] == "mine-2"
    assert sent[2][0].json() == {"detail": "Not Found"}
    assert sent[3][0].json() == {"detail": "Method Not Allowed"}

    lines = gateway.request_lines()
    assert len(lines) == len(requests), json.dumps(lines, indent=1)
    by_id = {line["request_id"]: line for line in lines}
    assert len(by_id) == len(requests), "request ids are not unique"
    for (method, path, _, _), (response, expected) in zip(requests, sent, strict=True):
        line = by_id[response.headers["x-request-id"]]
        assert REQUEST_KEYS <= line.keys(), f"missing {REQUEST_KEYS - line.keys()} in {line}"
        assert line["event"] == "request"
        assert (line["method"], line["path"]) == (method, path)
        assert (line["status"], line["backend"], line["api"], line["route"], line["reason"]) == expected, line
        assert isinstance(line["duration_ms"], int | float) and line["duration_ms"] >= 0
        assert line["pid"] == gateway.pid

    # Only JSON lines, and no uvicorn access line beside the gateway's own request line.
    for raw in gateway.stdout_text().splitlines():
        if raw.strip():
            line = json.loads(raw)
            assert isinstance(line, dict), raw
            assert not ACCESS_LOG.match(str(line.get("event"))), raw


def test_gateway_console_logs_written_to_a_file_carry_no_colour_codes(flags_path: Path, tmp_path: Path) -> None:
    with GatewayProcess(flags_path, tmp_path, extra_args=["--log-format", "console"]) as gateway:
        assert httpx.get(f"{gateway.base_url}/v1/models").status_code == 200
        gateway.stop()

    text = gateway.stdout_text()
    assert "listening" in text
    assert "/v1/models" in text
    assert "\x1b[" not in text
