"""HTTP limits and framing of a real `gateway serve`: head size, head deadline, request ids, HTTP/1.0, disconnects."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.gateway_process import GatewayProcess, LogLine, write_flags_atomically

MAX_HEADER_SIZE = 16 * 1024
HEADER_TIMEOUT = 1.0
NEW_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
TOO_LARGE = {"detail": "Request Header Fields Too Large"}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    workdir = tmp_path_factory.mktemp("gateway-http")
    flags = workdir / "flags.yaml"
    flags.write_text("default: legacy\n")
    args = ["--max-header-size", str(MAX_HEADER_SIZE), "--header-timeout", str(HEADER_TIMEOUT)]
    with GatewayProcess(flags, workdir, extra_args=args) as gateway:
        yield gateway


@pytest.fixture(autouse=True)
def _still_serving(gateway: GatewayProcess) -> Iterator[None]:
    """Whatever a test did to it, the server answers the next client normally."""
    yield
    assert httpx.get(f"{gateway.base_url}/v1/health", timeout=5.0).status_code == 200, gateway.describe()


@pytest.fixture
def client(gateway: GatewayProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.base_url, timeout=5.0) as client:
        yield client


def _connect(gateway: GatewayProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", gateway.port), timeout=5.0)


def _read_to_close(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _split_response(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}
    return status_line, headers, body


def _closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def _request_line(gateway: GatewayProcess, request_id: str) -> LogLine:
    return gateway.wait_for_log(
        lambda line: line.get("event") == "request" and line.get("request_id") == request_id,
        what=f"for request {request_id}",
    )


def _chat_body(model: str, words: int, *, stream: bool) -> bytes:
    text = " ".join(f"w{i}" for i in range(words))
    return json.dumps({"model": model, "stream": stream, "messages": [{"role": "user", "content": text}]}).encode()


# --- head size ---


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        pytest.param({"x-filler": "a" * (MAX_HEADER_SIZE + 1024)}, "", id="one-large-header"),
        pytest.param({f"x-filler-{i}": "a" * 1000 for i in range(20)}, "", id="many-headers"),
        pytest.param({}, "a" * (MAX_HEADER_SIZE + 1024), id="long-url"),
    ],
)
def test_head_over_max_header_size_gets_431_with_the_gateway_headers_and_a_request_line(
    gateway: GatewayProcess, client: httpx.Client, headers: dict[str, str], query: str
) -> None:
    response = client.get("/v1/health", headers=headers, params={"q": query} if query else None)

    assert response.status_code == 431
    assert response.json() == TOO_LARGE
    assert response.headers["x-gateway-backend"] == "gateway"
    assert NEW_REQUEST_ID.fullmatch(response.headers["x-request-id"])
    line = _request_line(gateway, response.headers["x-request-id"])
    assert (line["status"], line["backend"], line["path"]) == (431, "gateway", None)


def test_head_just_under_max_header_size_is_served(client: httpx.Client) -> None:
    response = client.get("/v1/health", headers={"x-filler": "a" * (MAX_HEADER_SIZE - 1024)})
    assert (response.status_code, response.json()) == (200, {"status": "OK"})


def test_head_growing_past_the_limit_is_refused_before_it_ends(gateway: GatewayProcess) -> None:
    # The head never ends: the server must answer from the bytes counted so far, not wait for the rest.
    with _connect(gateway) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: test\r\nX-Filler: ")
        for _ in range(MAX_HEADER_SIZE // 1024 + 2):
            try:
                sock.sendall(b"a" * 1024)
            except OSError:  # refused already: the server closed its side
                break
            time.sleep(0.001)
        status_line, headers, body = _split_response(_read_to_close(sock))

    assert status_line == "HTTP/1.1 431 Request Header Fields Too Large"
    assert headers["connection"] == "close"
    assert json.loads(body) == TOO_LARGE


# --- head deadline ---


def test_connections_slow_to_send_their_head_are_closed_while_other_clients_are_served(
    gateway: GatewayProcess, client: httpx.Client
) -> None:
    slow = [_connect(gateway) for _ in range(50)]
    for sock in slow:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: test\r\n")
    try:
        assert not any(_closed_by_server(sock) for sock in slow), "closed before the header timeout"
        # Generous for a loaded machine: never closed, they would stay open for good.
        deadline = time.monotonic() + HEADER_TIMEOUT + 4.0
        slowest = 0.0
        open_ones = slow
        while open_ones and time.monotonic() < deadline:
            sent = time.perf_counter()
            assert client.get("/v1/health").status_code == 200
            slowest = max(slowest, time.perf_counter() - sent)
            open_ones = [sock for sock in open_ones if not _closed_by_server(sock)]

        assert not open_ones, f"{len(open_ones)} of {len(slow)} still open"
        assert slowest < 2.0, f"a client waited {slowest:.2f} s"
    finally:
        for sock in slow:
            sock.close()


def test_next_request_on_a_kept_alive_connection_is_held_to_the_header_timeout(gateway: GatewayProcess) -> None:
    with _connect(gateway) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: test\r\n\r\n")
        first = b""
        while not first.endswith(b'{"status":"OK"}'):
            first += sock.recv(65536)
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: test\r\n")
        # Never closed, the recv times out and fails the test.
        sock.settimeout(HEADER_TIMEOUT + 4.0)
        assert sock.recv(65536) == b"", "the connection was answered, not closed"


def test_header_timeout_leaves_a_slow_body_alone(gateway: GatewayProcess) -> None:
    body = _chat_body("echo", 3, stream=False)
    with _connect(gateway) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        time.sleep(HEADER_TIMEOUT + 0.5)
        sock.sendall(body)
        status_line, _, answer = _split_response(_read_to_close(sock))

    assert status_line == "HTTP/1.1 200 OK"
    assert json.loads(answer)["choices"][0]["message"]["content"] == "w0 w1 w2"


# --- request ids ---


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        pytest.param(b"k" * 128, True, id="128-printable-kept"),
        pytest.param(b"a" * 129, False, id="129-characters"),
        pytest.param(b"tab\there", False, id="tab"),
        pytest.param("caf\u00e9-id".encode("latin-1"), False, id="non-ascii"),
    ],
)
def test_request_id_is_kept_only_when_short_and_printable(
    gateway: GatewayProcess, client: httpx.Client, given: bytes, kept: bool
) -> None:
    response = client.get("/v1/health", headers={b"x-request-id": given})

    echoed = response.headers["x-request-id"]
    assert response.status_code == 200
    if kept:
        assert echoed == given.decode()
    else:
        assert NEW_REQUEST_ID.fullmatch(echoed)
        assert given.decode("latin-1") not in gateway.stdout_text()
    assert _request_line(gateway, echoed)["path"] == "/v1/health"


# --- HTTP/1.0 ---


def test_http10_client_gets_a_stream_close_delimited_not_chunked(gateway: GatewayProcess) -> None:
    body = _chat_body("echo", 3, stream=True)
    with _connect(gateway) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body
        )
        status_line, headers, stream = _split_response(_read_to_close(sock))

    assert status_line == "HTTP/1.1 200 OK"
    assert "transfer-encoding" not in headers
    assert "content-length" not in headers
    assert headers["connection"] == "close"
    events = [json.loads(event.removeprefix(b"data: ")) for event in stream.split(b"\n\n") if event]
    assert "".join(event["choices"][0]["delta"].get("content") or "" for event in events) == "w0 w1 w2"
    assert events[-1]["choices"][0]["finish_reason"] == "stop"


def test_http10_client_gets_a_sized_response_as_before(gateway: GatewayProcess) -> None:
    with _connect(gateway) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.0\r\n\r\n")
        status_line, headers, body = _split_response(_read_to_close(sock))

    assert (status_line, headers["content-length"], body) == ("HTTP/1.1 200 OK", str(len(body)), b'{"status":"OK"}')


# --- disconnects ---


def _serve_inference_from(gateway: GatewayProcess, side: str) -> None:
    write_flags_atomically(gateway.flags, f"default: legacy\napis:\n  inference: {side}\n")
    deadline = time.monotonic() + 5.0
    with httpx.Client(base_url=gateway.base_url) as client:
        while time.monotonic() < deadline:
            answer = client.post("/v1/chat/completions", content=_chat_body("echo", 1, stream=False))
            if answer.headers["x-gateway-backend"] == side:
                return
            time.sleep(0.1)
    raise AssertionError(f"inference still not on {side}\n{gateway.describe()}")


def _stream_request(request_id: str, body: bytes) -> bytes:
    return (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"X-Request-Id: %s\r\nContent-Length: %d\r\n\r\n" % (request_id.encode(), len(body)) + body
    )


@pytest.mark.parametrize("side", ["legacy", "migrated"])
def test_client_leaving_mid_stream_stops_the_stream_and_its_line_says_disconnected(
    gateway: GatewayProcess, side: str
) -> None:
    _serve_inference_from(gateway, side)
    # 500 words of slow-echo stream for 10 s; the client leaves after the first events.
    request_id = f"leaves-mid-stream-{side}"
    with _connect(gateway) as sock:
        sock.sendall(_stream_request(request_id, _chat_body("slow-echo", 500, stream=True)))
        received = b""
        while received.count(b"data: ") < 3:
            received += sock.recv(65536)

    line = _request_line(gateway, request_id)
    assert (line["backend"], line["status"], line["disconnected"]) == (side, 200, True)
    # Read to its end, the stream would have taken 10 s.
    assert line["duration_ms"] < 5000, "the stream went on after the client left"


def test_stream_read_to_its_end_is_not_disconnected(gateway: GatewayProcess) -> None:
    request_id = "reads-to-the-end"
    with _connect(gateway) as sock:
        sock.sendall(_stream_request(request_id, _chat_body("slow-echo", 5, stream=True)))
        received = b""
        while not received.endswith(b"0\r\n\r\n"):
            received += sock.recv(65536)

    assert _request_line(gateway, request_id)["disconnected"] is False
