"""The gateway's listening socket: bound before any API starts, then handed to uvicorn.

Binding first makes a taken port the first thing `gateway serve` reports, within a
second, however long the APIs take to start. uvicorn then serves on that socket, in
this process or in `--workers N` processes that share it.
"""

from __future__ import annotations

import errno
import socket
from contextlib import suppress

import structlog
import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from gateway.exceptions import ApisNotStartedError, SettingError

log = structlog.get_logger("gateway.listener")

_ADDRESSES = "127.0.0.1, or 0.0.0.0 for every interface"
_NOT_STARTED = "the APIs did not start; the apis_not_started log line above names the API and the cause"


def bind_listener(host: str, port: int, *, port_setting: str = "port") -> socket.socket:
    """A TCP socket bound to `host:port`, as uvicorn's `Config.bind_socket` binds one.

    Raises `SettingError` naming `host` or `port_setting` and what to do instead.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise _bind_error(exc, host, port_setting) from exc
    sock.set_inheritable(True)
    return sock


def _bind_error(exc: OSError, host: str, port_setting: str) -> SettingError:
    if isinstance(exc, socket.gaierror):
        return SettingError("host", f"no such address ({exc.strerror}); use an address of this machine: {_ADDRESSES}")
    if exc.errno == errno.EADDRNOTAVAIL:
        return SettingError("host", f"not an address of this machine; use one of its addresses: {_ADDRESSES}")
    if exc.errno == errno.EADDRINUSE:
        return SettingError(port_setting, f"already in use on {host}; stop what listens there or choose another port")
    if exc.errno == errno.EACCES:
        return SettingError(
            port_setting, "permission denied (ports below 1024 need privileges); choose a port from 1024 up"
        )
    return SettingError("host", f"cannot listen there ({exc.strerror})")


class _AnnouncedServer(uvicorn.Server):
    """uvicorn's server, saying `listening` once the app has started and connections are accepted."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self.url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        log.info("listening", url=self.url, workers=1)


def serve_on(config: uvicorn.Config, listener: socket.socket) -> None:
    """Run uvicorn's server on `listener` until a signal stops it, as `uvicorn.run` does on its own socket."""
    host, port = listener.getsockname()[:2]
    url = f"http://[{host}]:{port}" if listener.family == socket.AF_INET6 else f"http://{host}:{port}"
    # A server stopped by SIGINT raises it again once stopped; the stop is what the person asked for.
    with suppress(KeyboardInterrupt):
        if config.workers > 1:
            log.info("listening", url=url, workers=config.workers)
            supervisor = Multiprocess(config, sockets=[listener])
            supervisor.run()
            # uvicorn stops every worker once one fails to start, and returns as after a signal: a supervisor
            # (systemd, Kubernetes) must see that stop as a failure, not as a clean exit.
            if any(worker.exitcode == STARTUP_FAILURE for worker in supervisor.processes):
                raise ApisNotStartedError(_NOT_STARTED)
        else:
            try:
                _AnnouncedServer(config, url).run(sockets=[listener])
            except SystemExit as exc:
                if exc.code != STARTUP_FAILURE:
                    raise
                raise ApisNotStartedError(_NOT_STARTED) from exc
