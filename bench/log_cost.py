"""The in-process figures again with the gateway's real JSON request line on, in a child process.

structlog caches a configured logger on first use, so the line's cost is measured in a
process of its own: `gateway.logs.configure_logging("json")` exactly as `gateway serve`
calls it, with stdout sent to /dev/null by the parent.

    python -m bench.log_cost RESULT.json     # stdout: the log lines (send it to /dev/null)
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import uvloop

from bench.inprocess import dispatcher_rows, example_api_rows
from bench.report import Row, Target
from bench.rounds import ROUNDS
from bench.servers import REPO, environment

SECTION = "in-process, JSON log on"
TARGETS = {
    "dispatcher's own cost": Target("<=", 5.0, " µs"),
    "gateway → migrated vs bare FastAPI (req/s)": Target(">=", 0.95, "×"),
}
"""The figures repeated with the request line on, and what each must meet with it."""


async def _measure(rounds: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-logcost-") as scratch:
        root = Path(scratch)
        rows = [*await dispatcher_rows(root / "raw", rounds), *await example_api_rows(root / "example", rounds)]
    return [replace(row, section=SECTION, target=None) for row in rows if row.name in TARGETS]


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
