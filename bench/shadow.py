"""Shadow traffic's cost.

* in process: the legacy `models` route (``GET /v1/models/{model_id:path}``) served over an
  implementation whose calls are observable but observed by nobody, versus over one never
  made observable (SPEC 10: capture costs nothing measurable while no API shadows or records);
  and the same comparison for one implementation call alone;
* over the network: client p50 and p99 at 32 connections on ``GET /v1/models/{model_id:path}``,
  `gateway serve` with models in `shadow` versus in `legacy`, measured alternately in one run.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from pathlib import Path

import uvloop
from starlette.types import ASGIApp

from apis.models.implementation import ModelsImplementation, open_models
from apis.models.legacy import ModelsApi
from bench.asgi_calls import expect
from bench.inprocess import MODEL_REQUEST, calls_per_round, loop
from bench.loadgen import LoadResult, run_load, tool_name
from bench.network import LOAD_SECONDS, MODEL_PATH, warmed_gateways
from bench.report import Row, Target
from bench.rounds import ROUNDS, alternate, alternate_async, median, paired_differences, paired_ratios
from gateway.registry import ApiContext
from legacy_adapter import create_legacy_app
from proof import observe

SECTION = "shadow"


@asynccontextmanager
async def _legacy_models(data_dir: Path, observed: bool) -> AsyncIterator[ASGIApp]:
    context = ApiContext(data_dir=data_dir, max_body_size=2**20, implementations={})
    data_dir.mkdir(parents=True, exist_ok=True)
    async with open_models(context) as implementation:
        yield create_legacy_app(ModelsApi, observe(implementation) if observed else implementation)


async def capture_idle_rows(data_dir: Path, rounds: int) -> list[Row]:
    async with AsyncExitStack() as stack:
        apps = {
            "absent": await stack.enter_async_context(_legacy_models(data_dir / "absent", observed=False)),
            "idle": await stack.enter_async_context(_legacy_models(data_dir / "idle", observed=True)),
        }
        for app in apps.values():
            await expect(app, MODEL_REQUEST)
        count = await calls_per_round(apps["absent"], MODEL_REQUEST)
        samples = await alternate_async({name: loop(app, MODEL_REQUEST, count) for name, app in apps.items()}, rounds)
    cost = paired_ratios(samples["idle"], samples["absent"])
    per_call = await _call_rows(data_dir, rounds)
    return [
        Row(
            SECTION,
            "legacy route, capture idle vs absent (time)",
            median(cost),
            "×",
            detail=f"models GET /v1/models/{{model_id:path}} on the adapter app: observable "
            f"{median(samples['idle']):.1f} µs, plain {median(samples['absent']):.1f} µs",
            target=Target("<=", 1.02, "×"),
            data={"samples_us": samples, "per_round": cost},
        ),
        *per_call,
    ]


CALLS = 20_000


async def _time_calls(implementation: ModelsImplementation) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        await implementation.get_model("echo")
    return (time.perf_counter() - started) / CALLS * 1e6


async def _call_rows(data_dir: Path, rounds: int) -> list[Row]:
    context = ApiContext(data_dir=data_dir / "calls", max_body_size=2**20, implementations={})
    context.data_dir.mkdir(parents=True, exist_ok=True)
    async with open_models(context) as plain, open_models(context) as observable:
        observe(observable)
        samples = await alternate_async(
            {"absent": lambda: _time_calls(plain), "idle": lambda: _time_calls(observable)}, rounds
        )
    extra = paired_differences(samples["idle"], samples["absent"])
    return [
        Row(
            SECTION,
            "one implementation call, capture idle minus absent",
            median(extra),
            " µs",
            detail=f"get_model('echo'): observable {median(samples['idle']):.2f} µs, "
            f"plain {median(samples['absent']):.2f} µs",
            data={"samples_us": samples, "per_round": extra},
        )
    ]


async def _run_inprocess(rounds: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-shadow-") as scratch:
        return await capture_idle_rows(Path(scratch), rounds)


FLAGS = {"legacy": "apis:\n  models: legacy\n", "shadow": "apis:\n  models: shadow\n"}


def network_rows(rounds: int) -> list[Row]:
    """Client latency with every models request shadowed versus served by legacy alone."""
    with tempfile.TemporaryDirectory(prefix="bench-shadow-net-") as scratch, ExitStack() as stack:
        servers = warmed_gateways(stack, Path(scratch), FLAGS)
        results: dict[str, list[LoadResult]] = {mode: [] for mode in servers}

        def measure(mode: str) -> Callable[[], float]:
            def run() -> float:
                result = run_load(servers[mode].base_url + MODEL_PATH, LOAD_SECONDS)
                results[mode].append(result)
                return result.p50_ms

            return run

        alternate({mode: measure(mode) for mode in servers}, rounds)
    p50 = {mode: [r.p50_ms for r in results[mode]] for mode in servers}
    p99 = {mode: [r.p99_ms for r in results[mode]] for mode in servers}
    errors = sum(r.errors for rs in results.values() for r in rs)
    middle, tail = paired_ratios(p50["shadow"], p50["legacy"]), paired_ratios(p99["shadow"], p99["legacy"])
    detail = f"32 connections, {tool_name()}; {errors} failed requests"
    return [
        Row(
            SECTION,
            "client p50, shadow vs legacy",
            median(middle),
            "×",
            detail=f"{median(p50['shadow']):.2f} vs {median(p50['legacy']):.2f} ms, {detail}",
            target=Target("<=", 1.1, "×"),
            data={"p50_ms": p50, "per_round": middle, "errors": errors},
        ),
        Row(
            SECTION,
            "client p99, shadow vs legacy",
            median(tail),
            "×",
            detail=f"{median(p99['shadow']):.2f} vs {median(p99['legacy']):.2f} ms",
            target=Target("<=", 1.1, "×"),
            data={"p99_ms": p99, "per_round": tail},
        ),
    ]


def run(rounds: int = ROUNDS) -> list[Row]:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        rows = runner.run(_run_inprocess(rounds))
    return rows + network_rows(rounds)
