"""HTTP load against a loopback server: `wrk` when installed, else a Python generator marked as such.

Both run as a child process, bounded in time (and the Python one in count), and stop early
on SIGINT with their figures so far, so a benchmark can keep load on while it does
something else (flipping flags) and stop it when done.

    python -m bench.loadgen http://127.0.0.1:8321/v1/models/echo --seconds 2 --connections 32

Install wrk with ``apt-get install wrk`` (Debian/Ubuntu) or ``brew install wrk``;
``BENCH_LOADGEN=python`` uses the Python generator even where wrk is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from bench.http1 import Connection

CONNECTIONS = 32
MAX_SECONDS = 120.0
"""No load runs longer than this, whatever a caller asks."""
MAX_REQUESTS = 2_000_000


@dataclass(frozen=True)
class LoadResult:
    tool: str
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    """Non-2xx answers, socket errors and timeouts."""


def wrk_path() -> str | None:
    """wrk's path, unless it is missing or ``BENCH_LOADGEN=python`` asks for the Python generator."""
    if os.environ.get("BENCH_LOADGEN") == "python":
        return None
    return shutil.which("wrk")


def tool_name() -> str:
    return "wrk" if wrk_path() else "Python load generator, not wrk"


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"load goes to loopback addresses only, not {host!r}")


class Load:
    """A load run in a child process: start it, then `wait` for it or `stop` it early."""

    def __init__(self, url: str, seconds: float, connections: int = CONNECTIONS) -> None:
        _check_loopback(url)
        self.url, self.seconds, self.connections = url, min(seconds, MAX_SECONDS), connections
        wrk = wrk_path()
        self.tool = "wrk" if wrk else "python"
        if wrk:
            duration = max(1, round(self.seconds))
            command = [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s", url]
        else:
            command = [sys.executable, "-m", "bench.loadgen", url, "--seconds", str(self.seconds)]
            command += ["--connections", str(connections)]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait(self) -> LoadResult:
        stdout, stderr = self._process.communicate(timeout=self.seconds + 30)
        if self._process.returncode not in (0, -signal.SIGINT):
            raise RuntimeError(f"{self.tool} failed ({self._process.returncode}): {stderr.strip()}")
        return parse_wrk(stdout) if self.tool == "wrk" else LoadResult(**json.loads(stdout))

    def stop(self) -> LoadResult:
        """Stop now; both tools print their figures so far on SIGINT."""
        self._process.send_signal(signal.SIGINT)
        return self.wait()


def run_load(url: str, seconds: float, connections: int = CONNECTIONS) -> LoadResult:
    return Load(url, seconds, connections).wait()


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def parse_wrk(output: str) -> LoadResult:
    """The figures of ``wrk --latency`` output."""
    totals = re.search(r"(\d+) requests in ([\d.]+(?:us|ms|s|m)),", output)
    if totals is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    requests, duration = totals.groups()
    p50 = re.search(r"^\s+50%\s+(\S+)$", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)$", output, re.MULTILINE)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = (sum(map(int, socket.groups())) if socket else 0) + (int(non_2xx.group(1)) if non_2xx else 0)
    elapsed = _ms(duration) / 1000
    return LoadResult(
        tool="wrk",
        requests=int(requests),
        seconds=elapsed,
        requests_per_second=int(requests) / elapsed if elapsed else 0.0,
        p50_ms=_ms(p50.group(1)) if p50 else float("nan"),
        p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
        errors=errors,
    )


# The Python load generator: each connection sends a request, reads the answer, and repeats.


async def _worker(url: str, deadline: float, stop: asyncio.Event, latencies: list[float], errors: list[int]) -> None:
    parts = urlsplit(url)
    connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        while not stop.is_set() and time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
            try:
                sent, response = await connection.request("GET", path)
            except (OSError, asyncio.IncompleteReadError, ConnectionError, ValueError):
                errors[0] += 1
                await asyncio.sleep(0.01)
                continue
            latencies.append(time.perf_counter() - sent)
            if not 200 <= response.status < 400:
                errors[0] += 1
    finally:
        await connection.close()


def _percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else float("nan")


async def python_load(url: str, seconds: float, connections: int) -> LoadResult:
    _check_loopback(url)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    latencies: list[float] = []
    errors = [0]
    started = time.perf_counter()
    deadline = started + min(seconds, MAX_SECONDS)
    await asyncio.gather(*(_worker(url, deadline, stop, latencies, errors) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return LoadResult(
        tool="python",
        requests=len(latencies),
        seconds=elapsed,
        requests_per_second=len(latencies) / elapsed,
        p50_ms=_percentile(ordered, 50),
        p99_ms=_percentile(ordered, 99),
        errors=errors[0],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description="HTTP load on a loopback URL.")
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    args = parser.parse_args(argv)
    loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop
        pass
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        result = runner.run(python_load(args.url, args.seconds, args.connections))
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
