"""`gateway verify` on a large corpus: exchanges a second and the peak memory of the command.

The corpus is made from real traffic: a few exchanges of each example API (models, files
with an upload, inference with and without a stream) recorded through the gateway app in
process, then repeated to the size wanted, each copy with an `x-request-id` of its own.
`gateway verify` runs on it in a child process, as CI would run it; its peak memory is the
child's own VmHWM (`bench.peak_memory`), and its rate excludes start-up (a one-line corpus is timed too).

    python -m bench --only verify        # 100,000 exchanges, part of the bench run
    python -m bench.verify_corpus --gb 1  # a 1 GB corpus, once (minutes): shows the command streams
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

import apis
from bench.quiet_logs import drop_info_logs
from bench.report import Row, Target, table
from bench.servers import REPO, environment
from gateway.app import GatewayApp
from gateway.flags import ApiFlags, FlagFile
from gateway.settings import ServerSettings

SECTION = "verify"
EXCHANGES = 100_000
PEAK_TARGET = Target("<=", 256, " MiB")
"""The command streams its corpus: its peak stays that of the APIs it starts, whatever the corpus's size."""
CHAT = {"model": "echo", "messages": [{"role": "user", "content": "hello from the verify benchmark"}]}


async def _record(directory: Path) -> None:
    flags = FlagFile(default="legacy", apis={api: ApiFlags(record=1) for api in ("models", "files", "inference")})
    settings = ServerSettings(data_dir=directory / "data", record_dir=directory / "records")
    gateway = GatewayApp(apis.registry, settings, flags=flags)
    async with gateway.runtime.running():
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            await client.post("/v1/models", json={"model_id": "bench/a", "provider_model_id": "echo"})
            await client.get("/v1/models")
            await client.get("/v1/models/bench/a")
            await client.get("/v1/models/missing")
            upload = await client.post("/v1/files", files={"file": ("a.txt", b"x" * 2048)}, data={"purpose": "batch"})
            await client.get(f"/v1/files/{upload.json()['id']}")
            await client.get(f"/v1/files/{upload.json()['id']}/content")
            await client.post("/v1/chat/completions", json=CHAT)
            await client.post("/v1/chat/completions", json={**CHAT, "stream": True})


def recorded_lines(directory: Path) -> list[dict[str, Any]]:
    """Lines recorded from the example APIs through the gateway, in the order served."""
    asyncio.run(_record(directory))
    files = sorted((directory / "records").glob("*.jsonl"))
    return [json.loads(text) for path in files for text in path.read_text(encoding="utf-8").splitlines()]


def write_corpus(
    lines: list[dict[str, Any]], path: Path, *, exchanges: int | None = None, size: int | None = None
) -> int:
    """`lines` repeated into `path` until `exchanges` lines or `size` bytes, each with its own request id."""
    written = total = 0
    with path.open("wb") as corpus:
        for number, line in enumerate(itertools.cycle(lines)):
            if (exchanges is not None and number >= exchanges) or (size is not None and total >= size):
                break
            request = line["request"]
            headers = [pair for pair in request["headers"] if pair[0] != "x-request-id"]
            copy = {**line, "request": {**request, "headers": [*headers, ["x-request-id", f"bench-{number}"]]}}
            encoded = json.dumps(copy, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
            corpus.write(encoded)
            total += len(encoded)
            written += 1
    return written


@dataclass(frozen=True)
class VerifyRun:
    seconds: float
    peak_mib: float
    exit_status: int
    last_line: str


def run_verify(corpus: Path) -> VerifyRun:
    """`gateway verify CORPUS` in a child process: its wall time, its peak resident memory, its verdict."""
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as out:
        peak = Path(scratch) / "peak"
        command = [
            sys.executable,
            "-m",
            "bench.peak_memory",
            str(peak),
            "gateway",
            "verify",
            str(corpus),
            "--apis",
            "apis",
        ]
        started = time.perf_counter()
        returncode = subprocess.run(
            command, cwd=REPO, env=environment(), stdout=out, stderr=subprocess.DEVNULL
        ).returncode
        seconds = time.perf_counter() - started
        out.seek(0)
        lines = out.read().decode().splitlines()
        return VerifyRun(seconds, int(peak.read_text()) / 1024, returncode, lines[-1] if lines else "")


def measure(exchanges: int | None = None, size: int | None = None) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as scratch:
        directory = Path(scratch)
        lines = recorded_lines(directory)
        small, large = directory / "one.jsonl", directory / "corpus.jsonl"
        write_corpus(lines, small, exchanges=1)
        count = write_corpus(lines, large, exchanges=exchanges, size=size)
        corpus_mib = large.stat().st_size / 2**20
        start_up = run_verify(small)
        run = run_verify(large)
    if run.exit_status != 0:
        raise AssertionError(f"gateway verify failed on the generated corpus: {run.last_line}")
    rate = (count - 1) / max(run.seconds - start_up.seconds, 1e-9)
    detail = f"{count:,} exchanges, {corpus_mib:.0f} MiB, {len(lines)} recorded exchanges repeated; {run.last_line}"
    return [
        Row(
            SECTION,
            f"gateway verify rate ({corpus_mib:.0f} MiB corpus)",
            rate,
            " exchanges/s",
            detail=f"{run.seconds:.1f} s in all, start-up {start_up.seconds:.1f} s; {detail}",
            data={"seconds": run.seconds, "start_up_seconds": start_up.seconds, "exchanges": count},
        ),
        Row(
            SECTION,
            f"gateway verify peak memory ({corpus_mib:.0f} MiB corpus)",
            run.peak_mib,
            " MiB",
            detail=f"the child's VmHWM; a one-line corpus peaks at {start_up.peak_mib:.0f} MiB",
            target=PEAK_TARGET,
            data={"peak_mib": run.peak_mib, "start_up_peak_mib": start_up.peak_mib, "corpus_mib": corpus_mib},
        ),
    ]


def run(rounds: int) -> list[Row]:
    """Once, not in rounds: a run of this size is steady, and long."""
    return measure(exchanges=EXCHANGES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.verify_corpus", description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--exchanges", type=int, default=None, help=f"exchanges in the corpus ({EXCHANGES:,})")
    size.add_argument("--gb", type=float, default=None, help="the corpus's size in GB instead")
    args = parser.parse_args(argv)
    drop_info_logs()
    if args.gb is not None:
        rows = measure(size=int(args.gb * 10**9))
    else:
        rows = measure(exchanges=args.exchanges or EXCHANGES)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
