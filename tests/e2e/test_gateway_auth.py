"""Authentication and the private admin surface on a real `gateway serve`."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.e2e.gateway_process import GatewayProcess, write_flags_atomically

TOKENS = """\
tokens:
  reader-token: {user: rita}
  writer-token: {user: walt, scopes: [models:write]}
"""
FLAGS = "default: legacy\napis:\n  models: migrated\n"
CREDENTIALS = {
    "anonymous": {},
    "bogus": {"authorization": "Bearer bogus-token"},
    "reader": {"authorization": "Bearer reader-token"},
    "writer": {"authorization": "Bearer writer-token"},
}
ADMIN_TOKEN = "admin-s3cret"
PROVIDER = """\
from starlette.requests import Request


async def authenticate(token: str, request: Request):
    if token == "boom":
        raise RuntimeError("identity provider unreachable")
    return {"user": "ada", "scopes": ["models:write"]} if token == "good" else None
"""


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """A server enforcing a tokens file, with models migrated and everything else legacy."""
    workdir = tmp_path_factory.mktemp("auth")
    (workdir / "tokens.yaml").write_text(TOKENS)
    flags = workdir / "flags.yaml"
    flags.write_text(FLAGS)
    with GatewayProcess(flags, workdir, extra_args=["--auth", "tokens.yaml"]) as gateway:
        yield gateway


def raw_status(base_url: str, target: str, headers: dict[str, str] | None = None) -> int:
    """The status of a GET sent byte for byte, so no client normalises `target` first."""
    host, port = base_url.removeprefix("http://").split(":")
    lines = [f"GET {target} HTTP/1.1", "Host: gateway", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = sock.makefile("rb").readline()
    return int(status_line.split()[1])


def test_auth_openai_client_good_key_works_bad_key_raises_authentication_error(gateway: GatewayProcess) -> None:
    with openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="reader-token", max_retries=0) as client:
        assert "echo" in [model.id for model in client.models.list()]
        completion = client.chat.completions.create(model="echo", messages=[{"role": "user", "content": "hi there"}])
        assert completion.choices[0].message.content == "hi there"
        with pytest.raises(openai.PermissionDeniedError) as denied:
            client.models.delete("echo")
        assert "needs the scope 'models:write'" in str(denied.value)
    with openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="bogus-token", max_retries=0) as client:
        with pytest.raises(openai.AuthenticationError) as refused:
            client.models.list()
        assert "Invalid token" in str(refused.value)
    # A request's line is written once its response is complete: the client may read it first.
    gateway.wait_for_log(lambda line: line.get("status") == 401, what="for the refused request")
    lines = [(line["path"], line["status"], line.get("user")) for line in gateway.request_lines()]
    assert lines[:4] == [
        ("/v1/models", 200, "rita"),
        ("/v1/chat/completions", 200, "rita"),
        ("/v1/models/echo", 403, "rita"),
        ("/v1/models", 401, None),
    ]


def _flag_changes(gateway: GatewayProcess) -> int:
    return len(gateway.events("flags_changed"))


def _wait_for_flag_changes(gateway: GatewayProcess, count: int) -> None:
    deadline = time.monotonic() + 5
    while _flag_changes(gateway) < count:
        assert time.monotonic() < deadline, f"the flags did not change a {count}th time\n{gateway.describe()}"
        time.sleep(0.05)


def test_auth_flip_under_load_changes_no_status_code(gateway: GatewayProcess) -> None:
    expected = {
        ("anonymous", "GET", "/v1/models"): 401,
        ("bogus", "GET", "/v1/models"): 401,
        ("reader", "GET", "/v1/models"): 200,
        ("reader", "DELETE", "/v1/models/echo"): 403,
        ("writer", "DELETE", "/v1/models/no-such-model"): 404,
        ("anonymous", "GET", "/v1/health"): 200,
        ("anonymous", "GET", "/v1/files"): 401,
        ("reader", "GET", "/v1/files"): 200,
    }
    stop = threading.Event()
    seen: list[tuple[tuple[str, str, str], int, str]] = []

    def load() -> None:
        mine = []
        with httpx.Client(base_url=gateway.base_url, timeout=5) as client:
            while not stop.is_set():
                for who, method, path in expected:
                    response = client.request(method, path, headers=CREDENTIALS[who])
                    mine.append(((who, method, path), response.status_code, response.headers["x-gateway-backend"]))
        seen.extend(mine)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        changes = _flag_changes(gateway)
        for text in ("default: migrated\n", "default: legacy\n", "default: migrated\n", FLAGS):
            time.sleep(0.2)
            write_flags_atomically(gateway.flags, text)
            changes += 1
            _wait_for_flag_changes(gateway, changes)
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    statuses: dict[tuple[str, str, str], Counter[int]] = {key: Counter() for key in expected}
    for key, status, _ in seen:
        statuses[key][status] += 1
    assert {key: set(counts) for key, counts in statuses.items()} == {key: {s} for key, s in expected.items()}
    backends = {backend for (_, _, path), _, backend in seen if path == "/v1/files"}
    assert backends == {"legacy", "migrated"}, "the flips did not happen under load"


def test_auth_provider_callable_decides_and_a_failure_is_503_with_its_traceback_logged(tmp_path: Path) -> None:
    (tmp_path / "team_auth.py").write_text(PROVIDER)
    flags = tmp_path / "flags.yaml"
    flags.write_text(FLAGS)
    with GatewayProcess(flags, tmp_path, extra_args=["--auth", "team_auth:authenticate"]) as gateway:
        with httpx.Client(base_url=gateway.base_url) as client:
            statuses = [
                client.get("/v1/models", headers={"authorization": f"Bearer {token}"}).status_code
                for token in ("good", "unknown", "boom", "good")
            ]
            failed = client.get("/v1/models", headers={"authorization": "Bearer boom"})
        failure = gateway.wait_for_log(lambda line: line["event"] == "auth_provider_failed", what="for the failure")
    assert statuses == [200, 401, 503, 200]
    assert failed.json()["error"]["message"].startswith("Authentication is unavailable")
    assert "RuntimeError: identity provider unreachable" in failure["exception"]
    assert "Traceback" in failure["exception"]


def test_admin_on_a_non_loopback_listener_without_token_is_not_served(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text(FLAGS)
    with GatewayProcess(flags, tmp_path, host="0.0.0.0") as gateway:
        for target in ("/_gateway/status", "/%5Fgateway/status", "/%5fgateway/routes", "/metrics"):
            assert raw_status(gateway.base_url, target) == 404, target
        assert raw_status(gateway.base_url, "/v1/health") == 200
        warning = gateway.wait_for_log(lambda line: line["event"] == "admin_not_served", what="admin_not_served")
    assert warning["host"] == "0.0.0.0"


def test_admin_on_a_non_loopback_listener_with_token_needs_it_on_every_spelling(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text(FLAGS)
    token = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    # From the environment, as the README advises: options show in the process list.
    environment = {"GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN}
    with GatewayProcess(flags, tmp_path, host="0.0.0.0", environment=environment) as gateway:
        for target in ("/_gateway/status", "/%5Fgateway/status", "/%5fgateway/routes", "/metrics"):
            assert raw_status(gateway.base_url, target) == 401, target
            assert raw_status(gateway.base_url, target, {"Authorization": "Bearer wrong"}) == 401, target
            assert raw_status(gateway.base_url, target, token) == 200, target
