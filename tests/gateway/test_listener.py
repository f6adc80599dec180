from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from gateway.exceptions import ApisNotStartedError, SettingError
from gateway.listener import bind_listener, serve_on


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_listener_is_bound_and_inheritable_for_the_workers() -> None:
    with bind_listener("127.0.0.1", 0) as listener:
        assert listener.getsockname()[0] == "127.0.0.1"
        assert listener.getsockname()[1] > 0
        assert listener.get_inheritable()


def test_listener_on_a_taken_port_names_the_port_and_the_fix(taken_port: int) -> None:
    with pytest.raises(SettingError) as caught:
        bind_listener("127.0.0.1", taken_port)
    assert caught.value.setting == "port"
    assert caught.value.problem == "already in use on 127.0.0.1; stop what listens there or choose another port"


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        pytest.param("no-such-host.invalid", "no such address", id="unknown-name"),
        pytest.param("256.1.1.1", "no such address", id="not-an-address"),
        # TEST-NET-1 (RFC 5737): never an address of the machine running the tests.
        pytest.param("192.0.2.1", "not an address of this machine", id="not-this-machine"),
    ],
)
def test_listener_on_a_bad_host_names_the_host_and_the_fix(host: str, problem: str) -> None:
    with pytest.raises(SettingError) as caught:
        bind_listener(host, 0)
    assert caught.value.setting == "host"
    assert caught.value.problem.startswith(problem)
    assert caught.value.problem.endswith("127.0.0.1, or 0.0.0.0 for every interface")


async def cannot_start(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "lifespan"
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "no implementation"})


def test_serve_on_reports_apis_that_did_not_start() -> None:
    config = uvicorn.Config(cannot_start, lifespan="on", log_config=None)
    with bind_listener("127.0.0.1", 0) as listener, pytest.raises(ApisNotStartedError, match="did not start"):
        serve_on(config, listener)


def test_serve_on_reports_workers_that_did_not_start() -> None:
    # Each worker process imports the app by name; uvicorn stops them all once one fails to start.
    config = uvicorn.Config(
        f"{__name__}:cannot_start", workers=2, lifespan="on", log_config=None, timeout_worker_healthcheck=1
    )
    with bind_listener("127.0.0.1", 0) as listener, pytest.raises(ApisNotStartedError, match="did not start"):
        serve_on(config, listener)
