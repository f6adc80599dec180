"""``python -m bench``: every benchmark, a table of figures against targets, and ``bench/results/latest.json``.

Usage::

    python -m bench                       # everything (a few minutes)
    python -m bench --only inprocess      # one or more of: inprocess, network, flags, startup, shadow,
                                          # recording, verify
    python -m bench --strict              # exit 1 when a target is missed
"""

from __future__ import annotations

import argparse
import asyncio
import time

import uvloop

from bench import (
    flags,
    inprocess,
    log_cost,
    mixed_mode,
    network,
    recording,
    request_path_fs,
    shadow,
    startup,
    verify_corpus,
)
from bench.loadgen import tool_name, wrk_path
from bench.quiet_logs import DESCRIPTION as QUIET_LOGS, drop_info_logs
from bench.report import RESULTS_PATH, Row, summary, table, write_json
from bench.rounds import ROUNDS

SECTIONS = ("inprocess", "network", "flags", "startup", "shadow", "recording", "verify")


def _inprocess(rounds: int) -> list[Row]:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        rows = runner.run(inprocess.run(rounds))
        rows += runner.run(mixed_mode.run(rounds))
    return rows + log_cost.run(rounds)


def _flags(rounds: int) -> list[Row]:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        rows = runner.run(request_path_fs.run())
    return rows + flags.run(rounds)


RUNNERS = {
    "inprocess": _inprocess,
    "network": network.run,
    "flags": _flags,
    "startup": startup.run,
    "shadow": shadow.run,
    "recording": recording.run,
    "verify": verify_corpus.run,
}


def notes() -> list[str]:
    lines = [
        "Each figure is the median of {rounds} alternating rounds; a ratio is the median of the per-round ratios.",
        f"In-process: ASGI calls with a uvicorn-like scope on uvloop, timed in CPU time; {QUIET_LOGS}. "
        "The 'JSON log on' rows come from a child process with `gateway.logs.configure_logging('json')` writing "
        "to /dev/null: the line's own cost, and two figures repeated.",
        "Network: `gateway serve --workers 1` (JSON request lines to /dev/null) vs uvicorn serving the API's own "
        "FastAPI app (bench/bare_app.py) with its access log off and on (to /dev/null), all uvloop + httptools; "
        f"load: {tool_name()}.",
    ]
    if wrk_path() is None:
        lines.append(
            "Network figures come from bench/loadgen.py's Python generator, not wrk (install wrk: apt-get install wrk)."
        )
    lines.append("Profile a loop behind a FAIL: .venv/bin/python -m bench.profile dispatch|migrated|sse|startup|...")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="sections to run")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"alternating rounds per figure (≥ 5; {ROUNDS})")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.rounds < 5:
        parser.error("--rounds must be at least 5")
    drop_info_logs()
    started = time.perf_counter()
    rows: list[Row] = []
    for section in SECTIONS:
        if section in args.only:
            section_started = time.perf_counter()
            rows += RUNNERS[section](args.rounds)
            print(f"[bench] {section}: {time.perf_counter() - section_started:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    text_notes = [note.replace("{rounds}", str(args.rounds)) for note in notes()]
    print()
    print(table(rows))
    print()
    print(summary(rows))
    for note in text_notes:
        print(f"* {note}")
    path = write_json(rows, text_notes, rounds=args.rounds, sections=args.only, seconds=round(elapsed, 1))
    print(f"\nwritten to {path.relative_to(RESULTS_PATH.parent.parent.parent)} in {elapsed:.0f} s")
    failed = any(row.passed is False for row in rows)
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
