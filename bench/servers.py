"""Servers in child processes on loopback ports: `gateway serve` and the bare uvicorn app.

Each server's stdout (the gateway's JSON request lines) goes to /dev/null and its stderr
to a file, so nothing blocks on a full pipe.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(**extra: str) -> dict[str, str]:
    """This environment without GATEWAY_* (they would set options), with the repository importable."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GATEWAY_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return {**env, **extra}


def gateway_command(port: int, flags: Path, data_dir: Path, apis: str = "apis") -> list[str]:
    return [
        sys.executable,
        "-m",
        "gateway",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--flags",
        str(flags),
        "--data-dir",
        str(data_dir),
        "--apis",
        apis,
        "--workers",
        "1",
    ]


def bare_command(port: int, access_log: bool = False) -> list[str]:
    """uvicorn serving the API's own app; its defaults pick uvloop and httptools, as `gateway serve` does.

    With `access_log`, uvicorn writes its access line per request (to stdout, /dev/null here),
    as a server in production would: the gateway's own request line is its counterpart.
    """
    logging = ["--access-log", "--log-level", "info"] if access_log else ["--no-access-log", "--log-level", "warning"]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.bare_app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *logging,
    ]


def get_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    """The status of one GET, or None when nothing answers yet."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


class ServerProcess:
    """A server started by `start` and ready once `ready_path` answers `ready_status`; `stop` ends it."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        port: int,
        ready_path: str,
        workdir: Path,
        *,
        ready_status: int = 200,
        **env: str,
    ) -> None:
        self.name, self.command, self.port = name, list(command), port
        self.ready_path, self.ready_status = ready_path, ready_status
        self.workdir = workdir
        self.env = environment(**env)
        self.stderr_path = workdir / f"{name}-{port}.stderr"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, poll_seconds: float = 0.005) -> float:
        """Start and wait until the ready path answers; the seconds that took."""
        started = time.perf_counter()
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                self.command, stdout=subprocess.DEVNULL, stderr=stderr, env=self.env, cwd=REPO
            )
        deadline = started + STARTUP_TIMEOUT
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.stderr()}")
            if get_status(self.port, self.ready_path) == self.ready_status:
                return time.perf_counter() - started
            time.sleep(poll_seconds)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.ready_path} within {STARTUP_TIMEOUT} s:\n{self.stderr()}")

    def peak_rss_mib(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MiB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
