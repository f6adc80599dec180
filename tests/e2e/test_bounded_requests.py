"""Big and broken requests against a real `gateway serve`, on each side: answered fast, the loop left free.

A thread pings `/v1/health` every 10 ms while the big requests run; the longest ping is the
longest any other client waited. The bound is generous for shared CI machines; on an idle
machine the longest ping is the one `json.loads` of the 20 MB body, about 80 ms; what is left
of a request is checked in slices (see `http_conventions.json_body`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

PING_INTERVAL = 0.01
# Generous: the suite runs in two workers on shared machines (about 150 ms idle, 510 ms seen under load),
# and still far below the unbounded parse's 9.4 s.
LONGEST_PING = 1.5


class Pinger:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                assert client.get("/v1/health").status_code == 200
                self.latencies.append(time.perf_counter() - started)
                time.sleep(PING_INTERVAL)

    @contextmanager
    def running(self) -> Iterator[Pinger]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()


def _json(content: Any) -> dict[str, Any]:
    return {"content": json.dumps(content).encode(), "headers": {"content-type": "application/json"}}


def _validation_errors(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text[:300]
    errors: list[dict[str, Any]] = response.json()["error"]["detail"]["errors"]
    return errors


def test_big_requests_are_bounded_and_leave_other_clients_served(gateway_url: str) -> None:
    message = {"role": "user", "content": "word " * 200_000}
    # Built before the pinger starts: encoding them holds this process's GIL, which would delay the pings here.
    huge = _json({"model": "echo", "messages": [{"role": "user", "content": "word " * 4_000_000}]})
    many_messages = _json({"model": "echo", "messages": [message] * 10})
    dense = _json({"model_id": "dense", "metadata": {f"k{i}": i for i in range(500_000)}})
    big_file = b"x" * 20_000_000
    with httpx.Client(base_url=gateway_url, timeout=60) as client, Pinger(gateway_url).running() as pinger:
        lorem = client.post(
            "/v1/chat/completions", json={"model": "lorem", "max_tokens": 10_000_000, "messages": [message]}
        )
        assert _validation_errors(lorem)[0]["loc"] == ["body", "max_tokens"]
        assert _validation_errors(client.post("/v1/chat/completions", **huge))[0]["loc"] == ["body", "messages", 0]
        many = client.post("/v1/chat/completions", **many_messages)
        assert many.status_code == 200
        assert many.json()["usage"]["prompt_tokens"] == 2_000_000
        assert _validation_errors(client.post("/v1/models", **dense))[0]["type"] == "json_too_large"
        streamed = {"model": "echo", "stream": True, "messages": [{"role": "user", "content": "w " * 20_000}]}
        with client.stream("POST", "/v1/chat/completions", json=streamed) as stream:
            assert sum(1 for line in stream.iter_lines() if line.startswith("data: ")) == 20_003
        upload = client.post("/v1/files", files={"file": ("big.bin", big_file)}, data={"purpose": "batch"})
        assert upload.status_code == 200
    assert len(pinger.latencies) > 20
    print(f"longest ping {max(pinger.latencies) * 1000:.1f} ms of {len(pinger.latencies)}")
    assert max(pinger.latencies) < LONGEST_PING, sorted(pinger.latencies)[-5:]


def test_unparsable_bodies_answer_400_in_the_validation_shape(gateway_url: str) -> None:
    with httpx.Client(base_url=gateway_url, timeout=10) as client:
        not_utf8 = client.post(
            "/v1/chat/completions",
            content=b'{"model": "echo", "messages": [{"role": "user", "content": "\xff"}]}',
            headers={"content-type": "application/json"},
        )
        assert _validation_errors(not_utf8) == [
            {
                "loc": ["body", 60],
                "msg": "The body is not valid UTF-8: invalid start byte at byte 60",
                "type": "json_invalid",
            }
        ]
        no_boundary = client.post("/v1/files", content=b"--x\r\n", headers={"content-type": "multipart/form-data"})
        assert _validation_errors(no_boundary) == [
            {"loc": ["body"], "msg": "Missing boundary in multipart.", "type": "multipart_invalid"}
        ]
