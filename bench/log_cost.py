"""The in-process figures again with the gateway's real JSON request line on, in a child process.

structlog caches a configured logger on first use, so the line's cost is measured in a
process of its own: `gateway.logs.configure_logging("json")` exactly as `gateway serve`
calls it, with stdout sent to /dev/null by the parent. There the line's own cost is also
measured directly: the gateway in front of the raw app with the JSON line and with the
line dropped, alternately.

    python -m bench.log_cost RESULT.json     # stdout: the log lines (send it to /dev/null)
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import uvloop
from starlette.types import ASGIApp

from bench.asgi_calls import time_calls, time_concurrent_calls
from bench.inprocess import RAW_REQUEST, calls_per_round, dispatcher_rows, example_api_rows, running_gateway
from bench.quiet_logs import DroppedLines
from bench.report import Row, Target
from bench.rounds import ROUNDS, alternate_async, median, paired_differences
from bench.servers import REPO, environment
from bench.synthetic_apis import raw_registry
from gateway.request_line import RequestLines, request_lines, use_request_lines

SECTION = "in-process, JSON log on"
LINE_COST = "the request line's own cost"
CONCURRENT = 32
"""Requests at a time for the second figure of the line's cost, as the network section's load sends them."""
LINE_COST_CONCURRENT = f"… with {CONCURRENT} requests at a time (lines written per loop turn)"
TARGETS: dict[str, Target | None] = {
    LINE_COST: Target("<=", 2.0, " µs"),
    LINE_COST_CONCURRENT: None,
    "dispatcher's own cost": Target("<=", 5.0, " µs"),
    "gateway → migrated vs bare FastAPI (req/s)": Target(">=", 0.95, "×"),
}
"""The figures repeated with the request line on, and what each must meet with it."""


async def _line_cost(data_dir: Path, rounds: int) -> list[Row]:
    """The gateway in front of the raw app with the JSON line, minus the same with the line dropped.

    Once with one request at a time (a line per event-loop turn), once with 32 at a time, as
    a server under load finishes many requests per turn and writes their lines together.
    """
    json_lines = request_lines()

    def measure(lines: RequestLines, app: ASGIApp, count: int, concurrency: int) -> Callable[[], Awaitable[float]]:
        async def run() -> float:
            use_request_lines(lines)
            if concurrency == 1:
                return await time_calls(app, RAW_REQUEST, count)
            return await time_concurrent_calls(app, RAW_REQUEST, count, concurrency)

        return run

    rows = []
    async with running_gateway(raw_registry(), "migrated", data_dir) as gateway:
        count = await calls_per_round(gateway, RAW_REQUEST)
        for concurrency, name in ((1, LINE_COST), (CONCURRENT, LINE_COST_CONCURRENT)):
            samples = await alternate_async(
                {
                    "json": measure(json_lines, gateway, count, concurrency),
                    "dropped": measure(DroppedLines(), gateway, count, concurrency),
                },
                rounds,
            )
            own = paired_differences(samples["json"], samples["dropped"])
            rows.append(
                Row(
                    SECTION,
                    name,
                    median(own),
                    " µs",
                    detail=f"gateway → raw app {median(samples['json']):.2f} µs with the JSON line (to /dev/null), "
                    f"{median(samples['dropped']):.2f} µs with it dropped",
                    data={"samples_us": samples, "per_round": own},
                )
            )
    use_request_lines(json_lines)
    return rows


async def _measure(rounds: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-logcost-") as scratch:
        root = Path(scratch)
        lines = await _line_cost(root / "line", rounds)
        rows = [*await dispatcher_rows(root / "raw", rounds), *await example_api_rows(root / "example", rounds)]
    return [*lines, *(replace(row, section=SECTION, target=None) for row in rows if row.name in TARGETS)]


def run(rounds: int = ROUNDS) -> list[Row]:
    """Run the child process and read its rows back, each with its log-on target."""
    with tempfile.TemporaryDirectory(prefix="bench-logcost-") as scratch:
        result = Path(scratch) / "rows.json"
        subprocess.run(
            [sys.executable, "-m", "bench.log_cost", str(result), str(rounds)],
            stdout=subprocess.DEVNULL,
            check=True,
            cwd=REPO,
            env=environment(),
        )
        return [Row(**row, target=TARGETS[row["name"]]) for row in json.loads(result.read_text())]


def main() -> None:
    from gateway.logs import configure_logging

    output, rounds = Path(sys.argv[1]), int(sys.argv[2])
    configure_logging("json")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        rows = runner.run(_measure(rounds))
    output.write_text(
        json.dumps(
            [
                {
                    "section": r.section,
                    "name": r.name,
                    "value": r.value,
                    "unit": r.unit,
                    "detail": r.detail,
                    "data": r.data,
                }
                for r in rows
            ]
        )
    )


if __name__ == "__main__":
    main()
