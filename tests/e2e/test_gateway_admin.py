"""The admin surface of a real `gateway serve`: metrics summed over workers, a separate admin port."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.e2e.gateway_process import GatewayProcess, free_port

FLAGS = "default: legacy\napis:\n  models: migrated\n"


def _flags(tmp_path: Path) -> Path:
    path = tmp_path / "flags.yaml"
    path.write_text(FLAGS)
    return path


def _models_requests(metrics: str) -> float:
    pattern = (
        r'gateway_requests_total\{api="models",backend="migrated",method="GET",'
        r'route="/v1/models",status_class="2xx"\} (\S+)'
    )
    match = re.search(pattern, metrics)
    return float(match[1]) if match else 0.0


def test_gateway_two_workers_one_scrape_counts_every_worker(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with GatewayProcess(_flags(tmp_path), tmp_path, workers=2, environment={"TMPDIR": str(temporary)}) as gateway:
        # A new connection per request, so both workers serve some of them.
        for _ in range(60):
            assert httpx.get(f"{gateway.base_url}/v1/models", headers={"connection": "close"}).status_code == 200
        pids = {line["pid"] for line in gateway.request_lines() if line["path"] == "/v1/models"}
        assert len(pids) == 2, f"one worker served everything: {pids}"
        metrics = httpx.get(f"{gateway.base_url}/metrics").text
        assert _models_requests(metrics) == 60
        assert 'gateway_route_backend{api="models",backend="migrated",method="GET",route="/v1/models"} 1.0' in metrics
        assert [path.name.startswith("gateway-metrics-") for path in temporary.iterdir()] == [True]

    # Stopped with SIGTERM: the workers' metrics directory goes with them.
    assert gateway.returncode == 0
    assert list(temporary.iterdir()) == []


def test_gateway_admin_port_moves_the_admin_surface_off_the_public_port(tmp_path: Path) -> None:
    admin_port = free_port()
    with GatewayProcess(_flags(tmp_path), tmp_path, extra_args=["--admin-port", str(admin_port)]) as gateway:
        httpx.get(f"{gateway.base_url}/v1/models")
        public = httpx.get(f"{gateway.base_url}/_gateway/status")
        assert (public.status_code, public.headers["x-gateway-backend"]) == (404, "gateway")
        assert httpx.get(f"{gateway.base_url}/metrics").status_code == 404
        admin = f"http://127.0.0.1:{admin_port}"
        status = httpx.get(f"{admin}/_gateway/status").json()
        assert status["apis"]["models"]["routes"]["GET /v1/models"]["stats"]["migrated"]["requests"] == 1
        assert _models_requests(httpx.get(f"{admin}/metrics").text) == 1


def test_gateway_admin_off_answers_404_on_every_admin_path(tmp_path: Path) -> None:
    with GatewayProcess(_flags(tmp_path), tmp_path, extra_args=["--admin", "off"]) as gateway:
        for path in ("/_gateway/status", "/_gateway/routes", "/metrics"):
            assert httpx.get(f"{gateway.base_url}{path}").status_code == 404
