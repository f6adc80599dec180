"""A real `gateway serve` process for tests about processes, files and workers, and ways to edit its flag file.

    with GatewayProcess(flags=tmp_path / "flags.yaml", workdir=tmp_path) as gateway:
        httpx.get(f"{gateway.base_url}/v1/models")
        write_flags_atomically(tmp_path / "flags.yaml", "default: migrated\\n")
        gateway.wait_for_log(lambda line: line["event"] == "flags_changed")

The server's stdout and stderr go to files in `workdir`, read back whole whenever a test
looks at them, so nothing ever blocks on a full pipe.
"""

from __future__ import annotations

import itertools
import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

STARTUP_TIMEOUT = 20.0
SHUTDOWN_TIMEOUT = 10.0
# Readiness probes carry their own request ids, so tests can tell their own request lines apart.
PROBE_REQUEST_ID_PREFIX = "readiness-probe-"
MAX_REQUESTS_TO_MEET_EVERY_WORKER = 400

LogLine = dict[str, Any]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    # GATEWAY_* would set options left off the command line (unless a test sets them in `extra`), and
    # NO_COLOR would hide the colours tests look for. PYTHONUNBUFFERED is dropped on purpose: the SPEC
    # wants each log line flushed as it is written, and the tests read stdout while it runs.
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("GATEWAY_") and name not in ("PYTHONUNBUFFERED", "NO_COLOR")
    }
    return {**inherited, **(extra or {})}


def serve_command(
    flags: Path, data_dir: Path, port: int, *extra: str, leave_out: Collection[str] = (), host: str = "127.0.0.1"
) -> list[str]:
    """`gateway serve` on `host` with these; `leave_out` names options not to give (`"--port"`, say)."""
    options = {"--host": host, "--port": str(port), "--flags": str(flags), "--data-dir": str(data_dir)}
    given = itertools.chain.from_iterable(item for item in options.items() if item[0] not in leave_out)
    return [sys.executable, "-m", "gateway", "serve", *given, *extra]


def parse_json_lines(text: str) -> list[LogLine]:
    """Every line of `text` that is a JSON object; anything else (a half-written last line) is skipped."""
    lines: list[LogLine] = []
    for raw in text.splitlines():
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if isinstance(value, dict):
            lines.append(value)
    return lines


def serve_expecting_failure(
    flags: Path,
    workdir: Path,
    *extra: str,
    environment: Mapping[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run `gateway serve` for a server that must refuse to start; the caller asserts on its status and stderr.

    `extra` options win over the defaults given before them (click keeps the last); an option set
    by a `GATEWAY_*` variable of `environment` is left off the command line, where it would win.
    """
    from_environment = {"--" + name.removeprefix("GATEWAY_").lower().replace("_", "-") for name in environment or {}}
    command = serve_command(flags, workdir / "data", free_port(), *extra, leave_out=from_environment)
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_environment(environment),
        cwd=workdir,
        check=False,
    )


def run_on_a_terminal(
    arguments: Sequence[str], workdir: Path, *, environment: Mapping[str, str] | None = None, until: bytes
) -> bytes:
    """What `gateway <arguments>` writes to a terminal (stdout and stderr both) until it exits or writes `until`."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", *arguments],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env=_environment(environment),
        cwd=workdir,
    )
    os.close(terminal)
    written = b""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while until not in written and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.1)[0]:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:
                    # EIO: the process exited and closed the terminal.
                    break
                written += chunk
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=SHUTDOWN_TIMEOUT)
        os.close(controller)
    return written


class GatewayProcess:
    """`gateway serve` on a free port, from `__enter__` (once `/v1/health` answers) to `__exit__`.

    `workdir` holds the data directory and the server's stdout and stderr files; `flags` is
    passed as given, so it is also the `path` the server's flag log lines name. `host` is the
    listener's address; ``0.0.0.0`` (every interface) is still reached through loopback.
    """

    def __init__(
        self,
        flags: Path,
        workdir: Path,
        *,
        workers: int = 1,
        extra_args: Sequence[str] = (),
        environment: Mapping[str, str] | None = None,
        wrapper: Sequence[str] = (),
        host: str = "127.0.0.1",
    ) -> None:
        self.flags = flags
        self.workdir = workdir
        self.host = host
        self.port = free_port()
        self.base_url = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{self.port}"
        self.stdout_path = workdir / f"gateway-{self.port}.stdout"
        self.stderr_path = workdir / f"gateway-{self.port}.stderr"
        self.workers = workers
        self._args = ["--workers", str(workers), *extra_args]
        self._environment = _environment(environment)
        # A command the server runs under, e.g. setpriv to drop a capability.
        self._wrapper = list(wrapper)
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> GatewayProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self._process is not None, "the gateway has not been started"
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.returncode if self._process is not None else None

    def start(self) -> None:
        command = [
            *self._wrapper,
            *serve_command(self.flags, self.workdir / "data", self.port, *self._args, host=self.host),
        ]
        with self.stdout_path.open("wb") as stdout, self.stderr_path.open("wb") as stderr:
            # The child has its own copies of the descriptors; ours close when the block ends.
            self._process = subprocess.Popen(
                command, stdout=stdout, stderr=stderr, env=self._environment, cwd=self.workdir
            )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_until_healthy(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        attempt = 0
        with httpx.Client(base_url=self.base_url, timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise AssertionError(
                        f"gateway serve exited with {self._process.returncode} before answering\n{self.describe()}"
                    )
                attempt += 1
                try:
                    response = client.get("/v1/health", headers={"x-request-id": f"{PROBE_REQUEST_ID_PREFIX}{attempt}"})
                    if response.status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise AssertionError(
            f"gateway serve did not answer /v1/health within {STARTUP_TIMEOUT:.0f} s\n{self.describe()}"
        )

    def send_signal(self, sig: signal.Signals) -> None:
        """Signal the server (SIGTERM starts a graceful shutdown) without waiting for it; `stop` waits."""
        assert self._process is not None, "the gateway has not been started"
        self._process.send_signal(sig)

    def stop(self, stop_signal: signal.Signals = signal.SIGTERM) -> int | None:
        """`stop_signal`, then SIGKILL after `SHUTDOWN_TIMEOUT`; the exit status (None if never started)."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(stop_signal)
            try:
                process.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace") if self.stdout_path.exists() else ""

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace") if self.stderr_path.exists() else ""

    def log_lines(self) -> list[LogLine]:
        """The JSON log lines written to stdout so far, in order (other lines are ignored)."""
        return parse_json_lines(self.stdout_text())

    def events(self, name: str) -> list[LogLine]:
        return [line for line in self.log_lines() if line.get("event") == name]

    def meet_every_worker(self, send: Callable[[str], object], prefix: str) -> tuple[set[int], int]:
        """Call ``send(request_id)`` with ids ``prefix`` + N until every worker has logged one (at most 400).

        The pids met, and how many requests were sent, counted here: a worker writes its
        line after the answer has left. The log is read every 10 requests, not after each.
        """
        pids: set[int] = set()
        sent = 0
        while sent < MAX_REQUESTS_TO_MEET_EVERY_WORKER:
            send(f"{prefix}{sent}")
            sent += 1
            if sent % 10 == 0:
                pids = {line["pid"] for line in self.request_lines() if line["request_id"].startswith(prefix)}
                if len(pids) == self.workers:
                    break
        return pids, sent

    def request_lines(self) -> list[LogLine]:
        """The `request` lines, without those of the readiness probes `start` sent."""
        return [
            line
            for line in self.events("request")
            if not str(line.get("request_id", "")).startswith(PROBE_REQUEST_ID_PREFIX)
        ]

    def wait_for_log(self, predicate: Callable[[LogLine], bool], *, what: str, timeout: float = 5.0) -> LogLine:
        """The first log line `predicate` accepts, waiting up to `timeout` seconds for it to be written."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_lines():
                if predicate(line):
                    return line
            if time.monotonic() >= deadline:
                raise AssertionError(f"no log line {what} within {timeout} s\n{self.describe()}")
            time.sleep(0.05)

    def describe(self) -> str:
        """The server's output, for assertion messages."""
        return f"--- stdout ({self.stdout_path}) ---\n{self.stdout_text()}--- stderr ---\n{self.stderr_text()}"


def write_flags_atomically(path: Path, text: str) -> None:
    """Replace the file by rename, as `gateway flags set` and most deploy tools do."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_flags_in_place(path: Path, text: str, *, pause: float = 0.0) -> None:
    """Truncate and rewrite the file, as an editor saving in place does.

    `pause` holds the file empty for that long between the truncation and the write, so a
    reader is sure to catch the save half-way.
    """
    with path.open("w", encoding="utf-8") as handle:
        if pause:
            handle.flush()
            time.sleep(pause)
        handle.write(text)


class ConfigMapFlags:
    """A flag file mounted as Kubernetes mounts a ConfigMap: `flags.yaml -> ..data/flags.yaml`, `..data -> ..vN`.

    `swap` writes a new version directory and repoints `..data` in one rename, then removes
    the old version, as the kubelet does. `name` is the ConfigMap's key, the file's name.
    """

    def __init__(self, directory: Path, text: str, *, name: str = "flags.yaml") -> None:
        self.directory = directory
        self.name = name
        self.directory.mkdir(parents=True, exist_ok=True)
        self.version = 0
        self._write_version(text)
        (directory / "..data").symlink_to(self._version_name())
        self.path = directory / name
        self.path.symlink_to(Path("..data") / name)

    def _version_name(self) -> str:
        return f"..v{self.version}"

    def _write_version(self, text: str) -> None:
        self.version += 1
        version_dir = self.directory / self._version_name()
        version_dir.mkdir()
        (version_dir / self.name).write_text(text, encoding="utf-8")

    def swap(self, text: str) -> None:
        old = self.directory / self._version_name()
        self._write_version(text)
        temporary_link = self.directory / "..data_tmp"
        temporary_link.symlink_to(self._version_name())
        os.replace(temporary_link, self.directory / "..data")
        shutil.rmtree(old)
