"""Start-up: time and peak memory from launching `gateway serve` to its first served request.

The gateway serves the synthetic registry of `bench.synthetic_apis` (1000 routes, and 10
for comparison) as ``--apis bench.synthetic_apis:registry_N``; the clock runs from the
process's launch to the first 200 answer of the last-registered route, and the peak
resident memory (VmHWM) is read right after it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.report import Row, Target
from bench.rounds import ROUNDS, alternate, median
from bench.servers import ServerProcess, free_port, gateway_command
from bench.synthetic_apis import last_route_path

SECTION = "start-up"
SCALES = (10, 1000)


def _start_once(workdir: Path, total: int, memory: dict[int, list[float]]) -> float:
    flags = workdir / "flags.yaml"
    flags.write_text("default: migrated\n", encoding="utf-8")
    port = free_port()
    command = gateway_command(port, flags, workdir / "data", apis=f"bench.synthetic_apis:registry_{total}")
    server = ServerProcess(f"startup-{total}", command, port, last_route_path(total), workdir)
    try:
        seconds = server.start(poll_seconds=0.002)
        memory[total].append(server.peak_rss_mib())
    finally:
        server.stop()
    return seconds


def run(rounds: int = ROUNDS) -> list[Row]:
    memory: dict[int, list[float]] = {total: [] for total in SCALES}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        workdir = Path(scratch)

        def measure(total: int) -> Callable[[], float]:
            return lambda: _start_once(workdir, total, memory)

        samples = alternate({str(total): measure(total) for total in SCALES}, rounds)
    seconds = {int(name): values for name, values in samples.items()}
    return [
        Row(
            SECTION,
            "1000 routes: launch → first served request",
            median(seconds[1000]),
            " s",
            detail=f"10 routes: {median(seconds[10]):.2f} s; `gateway serve --apis bench.synthetic_apis:registry_1000`",
            target=Target("<=", 1.0, " s"),
            data={"seconds": samples},
        ),
        Row(
            SECTION,
            "1000 routes: peak memory at first served request",
            median(memory[1000]),
            " MiB",
            detail=f"10 routes: {median(memory[10]):.0f} MiB (VmHWM)",
            data={"peak_rss_mib": {str(k): v for k, v in memory.items()}},
        ),
    ]
