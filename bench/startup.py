"""Start-up: time and peak memory from launching `gateway serve` to its first served request.

The gateway serves the synthetic registry of `bench.synthetic_apis` (1000 routes, and 10
for comparison) as ``--apis bench.synthetic_apis:registry_N``; the clock runs from the
process's launch to the first 200 answer of the last-registered route, and the peak
resident memory (VmHWM) is read right after it. The same at 1000 routes with two workers;
and, since routes are built on their first use, the first request to each API once the
server answers (the last route of each, one kept-alive connection), beside a second one.
"""

from __future__ import annotations

import http.client
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.report import Row, Target
from bench.rounds import ROUNDS, alternate, median
from bench.servers import ServerProcess, free_port, gateway_command
from bench.synthetic_apis import api_name, api_sizes, last_route_path, route_template

SECTION = "start-up"
# (routes, workers) of each configuration, by the name its samples are kept under.
CONFIGURATIONS = {"10": (10, 1), "1000": (1000, 1), "1000-workers-2": (1000, 2)}


def _request_ms(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return elapsed


def _first_requests_ms(port: int, total: int) -> tuple[float, float]:
    """The median of the first request to each API's last route, then of a second one, in ms."""
    paths = [
        route_template(api_name(index), size - 1).replace("{item_id}", "x")
        for index, size in enumerate(api_sizes(total))
    ]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        first = [_request_ms(connection, path) for path in paths]
        second = [_request_ms(connection, path) for path in paths]
    finally:
        connection.close()
    return median(first), median(second)


def _start_once(workdir: Path, name: str, memory: dict[str, list[float]], first: dict[str, list[float]]) -> float:
    total, workers = CONFIGURATIONS[name]
    flags = workdir / "flags.yaml"
    flags.write_text("default: migrated\n", encoding="utf-8")
    port = free_port()
    command = gateway_command(port, flags, workdir / "data", apis=f"bench.synthetic_apis:registry_{total}")
    command[command.index("--workers") + 1] = str(workers)
    server = ServerProcess(f"startup-{name}", command, port, last_route_path(total), workdir)
    try:
        seconds = server.start(poll_seconds=0.002)
        memory[name].append(server.peak_rss_mib())
        if workers == 1 and total == 1000:
            first_ms, second_ms = _first_requests_ms(port, total)
            first["first"].append(first_ms)
            first["second"].append(second_ms)
    finally:
        server.stop()
    return seconds


def run(rounds: int = ROUNDS) -> list[Row]:
    memory: dict[str, list[float]] = {name: [] for name in CONFIGURATIONS}
    first: dict[str, list[float]] = {"first": [], "second": []}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        workdir = Path(scratch)

        def measure(name: str) -> Callable[[], float]:
            return lambda: _start_once(workdir, name, memory, first)

        seconds = alternate({name: measure(name) for name in CONFIGURATIONS}, rounds)
    return [
        Row(
            SECTION,
            "1000 routes: launch → first served request",
            median(seconds["1000"]),
            " s",
            detail=f"10 routes: {median(seconds['10']):.2f} s; `gateway serve --apis "
            "bench.synthetic_apis:registry_1000`",
            target=Target("<=", 1.0, " s"),
            data={"seconds": seconds},
        ),
        Row(
            SECTION,
            "1000 routes, --workers 2: launch → first served request",
            median(seconds["1000-workers-2"]),
            " s",
            detail="the flags and --auth checked once, over routes read without starting an API; then each worker "
            "starts its own",
        ),
        Row(
            SECTION,
            "1000 routes: first request to each API once serving",
            median(first["first"]),
            " ms",
            detail=f"a second request: {median(first['second']):.2f} ms; the last route of each of 100 APIs, "
            "one connection (each route is built on its first request)",
            data={"ms": first},
        ),
        Row(
            SECTION,
            "1000 routes: peak memory at first served request",
            median(memory["1000"]),
            " MiB",
            detail=f"10 routes: {median(memory['10']):.0f} MiB; 2 workers: the parent "
            f"{median(memory['1000-workers-2']):.0f} MiB (VmHWM)",
            data={"peak_rss_mib": memory},
        ),
    ]
