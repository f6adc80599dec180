"""Shutting a real `gateway serve` down: health says draining at once, and `--graceful-timeout` ends open streams."""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path

import httpx

from tests.e2e.gateway_process import GatewayProcess, free_port

GRACEFUL_TIMEOUT = 1
# Room for the process to exit on a loaded machine; without the timeout it would wait the whole stream.
EXIT_ALLOWANCE = 4.0
# 1000 words of slow-echo stream for 20 s, far longer than the graceful timeout.
LONG_STREAM = {"model": "slow-echo", "stream": True, "messages": [{"role": "user", "content": " ".join(["w"] * 1000)}]}


def _open_stream(port: int) -> socket.socket:
    body = json.dumps(LONG_STREAM).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=5.0)
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"X-Request-Id: long-stream\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )
    assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
    return sock


def test_sigterm_drains_health_and_graceful_timeout_ends_an_open_stream(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: migrated\n")
    admin_port = free_port()
    args = ["--graceful-timeout", str(GRACEFUL_TIMEOUT), "--admin-port", str(admin_port)]
    health_url = f"http://127.0.0.1:{admin_port}/_gateway/health"
    with GatewayProcess(flags, tmp_path, extra_args=args) as gateway:
        ready = httpx.get(health_url)
        assert (ready.status_code, ready.json()) == (200, {"status": "ok"})
        with _open_stream(gateway.port) as stream:
            signalled = time.monotonic()
            gateway.send_signal(signal.SIGTERM)
            # The admin listener stays up while the open stream drains: a probe there sees the drain.
            draining = httpx.get(health_url)
            status = gateway.stop()
            stopped = time.monotonic() - signalled
            stream.settimeout(1.0)
            rest = b""
            while chunk := stream.recv(65536):
                rest += chunk

    assert (draining.status_code, draining.json()) == (503, {"status": "draining"})
    # uvicorn re-raises the signal it handled once it is done: SIGTERM's own status, never SIGKILL's.
    assert status in (0, -signal.SIGTERM), gateway.describe()
    assert stopped < GRACEFUL_TIMEOUT + EXIT_ALLOWANCE, f"shutdown took {stopped:.1f} s"
    # Ended, not finished: no last event, no end of the chunked body.
    assert b'"finish_reason":"stop"' not in rest
    assert not rest.endswith(b"0\r\n\r\n")
    line = next(line for line in gateway.request_lines() if line["request_id"] == "long-stream")
    assert line["duration_ms"] < (GRACEFUL_TIMEOUT + EXIT_ALLOWANCE) * 1000
