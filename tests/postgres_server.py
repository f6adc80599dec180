"""A real PostgreSQL server for tests: Debian's binaries, a fresh cluster in a temporary directory, a free port.

    with PostgresServer() as server:
        url = server.create_database()   # postgresql://gateway:...@127.0.0.1:PORT/postgres?options=...

`initdb` and `postgres` refuse to run as root: when the tests do, both run as the `postgres`
user that Debian's package creates, through `setpriv`, which execs in place, so the pid the
test holds is the server's own and stopping it is a signal to that pid.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType

import psycopg

from tests.e2e.gateway_process import free_port

USER = "gateway"
PASSWORD = "s3cret-test-password"
STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 10.0


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian's layout), None if there is none."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda path: int(path.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


class PostgresServer:
    """`postgres` on a free loopback port from `__enter__` (once it accepts connections) to `__exit__`.

    Tuned for tests, not durability: no fsync, so a crash of the machine loses the cluster, which is thrown away anyway.
    """

    def __init__(self) -> None:
        bin_dir = postgres_bin()
        assert bin_dir is not None, "PostgreSQL is not installed"
        self.bin_dir = bin_dir
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="gateway-postgres-"))
        self.data_dir = self.directory / "data"
        self.log_path = self.directory / "postgres.log"
        self._process: subprocess.Popen[bytes] | None = None

    def _as_server_user(self) -> list[str]:
        if os.geteuid() != 0:
            return []
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--"]

    def __enter__(self) -> PostgresServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        password_file = self.directory / "password"
        password_file.write_text(PASSWORD)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            shutil.chown(password_file, "postgres", "postgres")
        subprocess.run(
            [
                *self._as_server_user(),
                str(self.bin_dir / "initdb"),
                f"--pgdata={self.data_dir}",
                f"--username={USER}",
                f"--pwfile={password_file}",
                # Password checked over TCP, as a real deployment does; the Unix socket is not used.
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--no-locale",
                "--encoding=UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        with self.log_path.open("wb") as log:
            if os.geteuid() == 0:
                shutil.chown(self.log_path, "postgres", "postgres")
            self._process = subprocess.Popen(
                [
                    *self._as_server_user(),
                    str(self.bin_dir / "postgres"),
                    "-D",
                    str(self.data_dir),
                    "-p",
                    str(self.port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={self.directory}",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self._process.poll() is not None:
                raise AssertionError(f"postgres exited with {self._process.returncode}\n{self.log()}")
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=1).close()
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"postgres did not accept connections in {STARTUP_TIMEOUT} s\n{self.log()}"
                    ) from exc
                time.sleep(0.05)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def url(self, database: str, *, password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """The URL of a new, empty place to keep state: a schema of its own, first on the connections' search path.

        A schema, not a database: a test makes one in milliseconds, a database takes a copy of its template.
        """
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url('postgres')}?options=-csearch_path%3D{name}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the server by its pid (SIGINT: a fast shutdown that ends open sessions), remove its files."""
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
