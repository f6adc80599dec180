"""Recording's cost on the legacy side (SPEC 11: at most 1.05x on p50 at `record: 1`).

* in process: the legacy `models` route (``GET /v1/models/{model_id:path}``) through a
  started gateway with `record: 1` versus `record: 0`: the process's CPU time per request,
  the garbage collector included; and the writer process's own CPU time per recorded
  exchange, beside (it runs on another core when there is one);
* over the network: client p50 and p99 on the same route, `gateway serve` with models in
  `legacy` and `record: 1` versus `legacy` alone, measured alternately, at 32 connections
  (the worker saturated: recording's whole cost on the worker shows) and at 1 (the worker
  has time between requests, as most servers do).

Recorded lines go to a scratch directory removed at the end.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from pathlib import Path

import uvloop

import apis
from bench.asgi_calls import expect, time_calls
from bench.inprocess import MODEL_REQUEST, calls_per_round
from bench.loadgen import LoadResult, run_load, tool_name
from bench.network import LOAD_SECONDS, MODEL_PATH, warmed_gateways
from bench.report import Row, Target
from bench.rounds import ROUNDS, alternate, alternate_async, median, paired_differences, paired_ratios
from gateway.app import GatewayApp
from gateway.flags import ApiFlags, FlagFile
from gateway.settings import ServerSettings

SECTION = "recording"
TARGET = Target("<=", 1.05, "×")
SHARES = {"off": 0.0, "on": 1.0}


@asynccontextmanager
async def _gateway(data_dir: Path, record: float) -> AsyncIterator[GatewayApp]:
    flags = FlagFile(default="legacy", apis={"models": ApiFlags(mode="legacy", record=record)})
    app = GatewayApp(apis.registry, ServerSettings(data_dir=data_dir), flags=flags)
    async with app.running():
        yield app


SETTLE_SECONDS = 0.2
"""After each round: the writer process has written what the round queued (sleeping costs no CPU time)."""


def _process_cpu_seconds(pid: int | None) -> float:
    """A process's CPU time so far (0 for none), from /proc: user and system time, in clock ticks."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_per_request(app: GatewayApp, count: int, writer_us: list[float]) -> Callable[[], Awaitable[float]]:
    """The process's CPU time per request, the collector included, over a round and the sending of what it
    queued: the work recording adds to the worker, which a loaded machine's other processes do not inflate
    as they do wall time. The writer process's CPU time per request over the round goes to `writer_us`."""

    async def measure() -> float:
        writer = app.runtime.recording.writer
        started, writer_started = time.process_time(), _process_cpu_seconds(writer.process_id)
        await time_calls(app, MODEL_REQUEST, count)
        await asyncio.sleep(SETTLE_SECONDS)
        writer_us.append((_process_cpu_seconds(writer.process_id) - writer_started) / count * 1e6)
        return (time.process_time() - started) / count * 1e6

    return measure


async def inprocess_rows(data_dir: Path, rounds: int) -> list[Row]:
    async with AsyncExitStack() as stack:
        gateways = {
            name: await stack.enter_async_context(_gateway(data_dir / name, share)) for name, share in SHARES.items()
        }
        for gateway in gateways.values():
            await expect(gateway, MODEL_REQUEST, backend="legacy")
        count = await calls_per_round(gateways["off"], MODEL_REQUEST)
        # A round outside the figures: the writer process starts (imports and all) with the first lines.
        await _cpu_per_request(gateways["on"], count, [])()
        writer_us: dict[str, list[float]] = {name: [] for name in gateways}
        measures = {name: _cpu_per_request(app, count, writer_us[name]) for name, app in gateways.items()}
        samples = await alternate_async(measures, rounds)
    cost = paired_ratios(samples["on"], samples["off"])
    extra = paired_differences(samples["on"], samples["off"])
    return [
        Row(
            SECTION,
            "legacy route in process, record 1 vs 0 (CPU)",
            median(cost),
            "×",
            detail=f"models GET /v1/models/{{model_id:path}} through the gateway, process CPU per request: "
            f"recorded {median(samples['on']):.1f} µs, not recorded {median(samples['off']):.1f} µs",
            target=TARGET,
            data={"samples_us": samples, "per_round": cost},
        ),
        Row(
            SECTION,
            "CPU a recorded exchange costs",
            median(extra),
            " µs",
            detail="on the worker's loop (tap, capture, one encoding, the pipe), GC included; the writer process "
            f"(binding, data, JSON, disk) {median(writer_us['on']):.1f} µs more, on a core of its own if any",
            data={"per_round": extra, "writer_process_us": writer_us["on"]},
        ),
    ]


FLAGS = {
    "off": "default: legacy\n",
    "on": "default: legacy\napis:\n  models:\n    mode: legacy\n    record: 1\n",
}


LOADS = {"saturated": 32, "light": 1}
"""Connections: 32 keep one worker busy (recording's CPU shows in full), 1 leaves it time between requests."""


def network_rows(rounds: int) -> list[Row]:
    """Client latency with every models request recorded versus none, under both loads."""
    with tempfile.TemporaryDirectory(prefix="bench-recording-net-") as scratch, ExitStack() as stack:
        servers = warmed_gateways(stack, Path(scratch), FLAGS)
        results: dict[tuple[str, str], list[LoadResult]] = {(n, load): [] for n in servers for load in LOADS}

        def measure(name: str, load: str) -> Callable[[], float]:
            def run() -> float:
                result = run_load(servers[name].base_url + MODEL_PATH, LOAD_SECONDS, LOADS[load])
                results[(name, load)].append(result)
                return result.p50_ms

            return run

        alternate({f"{name} {load}": measure(name, load) for name in servers for load in LOADS}, rounds)
        recorded = sum(len(path.read_bytes().splitlines()) for path in Path(scratch, "on").rglob("*.jsonl"))
    errors = sum(r.errors for rs in results.values() for r in rs)
    rows = []
    for load, connections in LOADS.items():
        p50 = {name: [r.p50_ms for r in results[(name, load)]] for name in servers}
        p99 = {name: [r.p99_ms for r in results[(name, load)]] for name in servers}
        rps = {name: [r.requests_per_second for r in results[(name, load)]] for name in servers}
        middle, tail = paired_ratios(p50["on"], p50["off"]), paired_ratios(p99["on"], p99["off"])
        rows += [
            Row(
                SECTION,
                f"client p50 at {connections} connection{'s' if connections > 1 else ''}, record 1 vs 0",
                median(middle),
                "×",
                detail=f"{median(p50['on']):.2f} vs {median(p50['off']):.2f} ms; "
                f"{median(rps['on']):.0f} vs {median(rps['off']):.0f} req/s",
                target=TARGET,
                data={"p50_ms": p50, "per_round": middle, "requests_per_second": rps},
            ),
            Row(
                SECTION,
                f"client p99 at {connections} connection{'s' if connections > 1 else ''}, record 1 vs 0",
                median(tail),
                "×",
                detail=f"{median(p99['on']):.2f} vs {median(p99['off']):.2f} ms; {tool_name()}, "
                f"{errors} failed requests, {recorded} lines recorded in all",
                data={"p99_ms": p99, "per_round": tail},
            ),
        ]
    return rows


async def _run_inprocess(rounds: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-recording-") as scratch:
        return await inprocess_rows(Path(scratch), rounds)


def run(rounds: int = ROUNDS) -> list[Row]:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        rows = runner.run(_run_inprocess(rounds))
    return rows + network_rows(rounds)
