"""In-process figures: ASGI call loops with a synthetic scope, no network.

* the raw ASGI floor and the gateway in front of it (the dispatcher's own cost);
* an example API (``models``, ``GET /v1/models/{model_id:path}``) served by its own app
  alone versus through the gateway, on each side, and its legacy route versus its
  migrated twin;
* server-sent events through the gateway versus the inference app alone;
* scaling: the last-registered of 10 / 100 / 1000 synthetic routes, through the gateway
  versus one monolithic FastAPI app that includes every router.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from starlette.types import ASGIApp

import apis
from bench.asgi_calls import RequestTemplate, call, expect, sse_events, time_calls
from bench.report import Row, Target
from bench.rounds import ROUNDS, alternate_async, median, paired_differences, paired_ratios
from bench.synthetic_apis import (
    RAW_PATH,
    FixedResponseApp,
    last_route_path,
    monolithic_app,
    raw_registry,
    registry_10,
    registry_100,
    registry_1000,
)
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.modes import Side
from gateway.registry import ApiRegistry
from gateway.settings import ServerSettings

SECTION = "in-process"
ROUND_SECONDS = 0.12
"""Each configuration runs about this long per round."""

MODEL_REQUEST = RequestTemplate.build("GET", "/v1/models/echo")
RAW_REQUEST = RequestTemplate.build("GET", RAW_PATH)
SSE_WORDS = 256


def chat_request(words: int) -> RequestTemplate:
    return RequestTemplate.build(
        "POST",
        "/v1/chat/completions",
        json_body={
            "model": "lorem",
            "stream": True,
            "max_tokens": words,
            "messages": [{"role": "user", "content": "hello"}],
        },
    )


async def calls_per_round(app: ASGIApp, request: RequestTemplate, seconds: float = ROUND_SECONDS) -> int:
    """How many calls fill `seconds`, from a short trial (at least 20)."""
    per_call = await time_calls(app, request, 20) / 1e6
    return max(20, int(seconds / per_call))


def loop(app: ASGIApp, request: RequestTemplate, count: int) -> Callable[[], Awaitable[float]]:
    async def measure() -> float:
        return await time_calls(app, request, count)

    return measure


@asynccontextmanager
async def running_gateway(registry: ApiRegistry, default: Side, data_dir: Path) -> AsyncIterator[GatewayApp]:
    """A started gateway with fixed flags: every API with a router on `default`."""
    app = GatewayApp(registry, ServerSettings(data_dir=data_dir), flags=FlagFile(default=default))
    async with app.running():
        yield app


def _us(value: float) -> str:
    return f"{value:.1f} µs"


async def dispatcher_rows(data_dir: Path, rounds: int) -> list[Row]:
    async with running_gateway(raw_registry(), "migrated", data_dir) as gateway:
        floor = FixedResponseApp()
        await expect(gateway, RAW_REQUEST, backend="migrated")
        count = await calls_per_round(gateway, RAW_REQUEST)
        samples = await alternate_async(
            {"floor": loop(floor, RAW_REQUEST, count), "gateway": loop(gateway, RAW_REQUEST, count)}, rounds
        )
    own = paired_differences(samples["gateway"], samples["floor"])
    return [
        Row(SECTION, "raw ASGI floor (fixed bytes)", median(samples["floor"]), " µs", data=samples),
        Row(SECTION, "gateway → raw ASGI app", median(samples["gateway"]), " µs", data=samples),
        Row(
            SECTION,
            "dispatcher's own cost",
            median(own),
            " µs",
            detail="gateway → raw app minus the floor, per request",
            target=Target("<=", 2.0, " µs"),
            data={"per_round": own},
        ),
    ]


async def example_api_rows(data_dir: Path, rounds: int) -> list[Row]:
    """models, GET /v1/models/{model_id:path}: each side alone and through the gateway."""
    async with AsyncExitStack() as stack:
        migrated_gw = await stack.enter_async_context(running_gateway(apis.registry, "migrated", data_dir / "m"))
        legacy_gw = await stack.enter_async_context(running_gateway(apis.registry, "legacy", data_dir / "l"))
        models = next(api for api in migrated_gw.runtime.apis if api.name == "models")
        assert models.migrated is not None
        configs: dict[str, ASGIApp] = {
            "fastapi": models.migrated,
            "gateway_migrated": migrated_gw,
            "adapter": models.legacy,
            "gateway_legacy": legacy_gw,
        }
        await expect(migrated_gw, MODEL_REQUEST, backend="migrated")
        await expect(legacy_gw, MODEL_REQUEST, backend="legacy")
        for app in configs.values():
            await expect(app, MODEL_REQUEST)
        count = await calls_per_round(models.migrated, MODEL_REQUEST)
        samples = await alternate_async(
            {name: loop(app, MODEL_REQUEST, count) for name, app in configs.items()}, rounds
        )
    migrated_speed = paired_ratios(samples["fastapi"], samples["gateway_migrated"])
    legacy_speed = paired_ratios(samples["adapter"], samples["gateway_legacy"])
    adapter_cost = paired_ratios(samples["adapter"], samples["fastapi"])
    m = {name: median(values) for name, values in samples.items()}
    return [
        Row(
            SECTION,
            "gateway → migrated vs bare FastAPI (req/s)",
            median(migrated_speed),
            "×",
            detail=f"models GET /v1/models/{{model_id:path}}: gateway {_us(m['gateway_migrated'])}, "
            f"the API's FastAPI app alone {_us(m['fastapi'])}",
            data={"samples_us": samples, "per_round": migrated_speed},
        ),
        Row(
            SECTION,
            "gateway → legacy vs the adapter app alone (req/s)",
            median(legacy_speed),
            "×",
            detail=f"gateway {_us(m['gateway_legacy'])}, adapter app alone {_us(m['adapter'])}",
            data={"per_round": legacy_speed},
        ),
        Row(
            SECTION,
            "legacy route vs its migrated twin (time)",
            median(adapter_cost),
            "×",
            detail=f"adapter {_us(m['adapter'])}, router {_us(m['fastapi'])} (each app alone)",
            target=Target("<=", 1.05, "×"),
            data={"per_round": adapter_cost},
        ),
    ]


async def _first_event_us(app: ASGIApp, request: RequestTemplate, count: int) -> float:
    total = 0.0
    for _ in range(count):
        total += (await call(app, request)).first_chunk_seconds
    return total / count * 1e6


async def _events_per_second(app: ASGIApp, request: RequestTemplate, count: int) -> float:
    events = 0
    seconds = 0.0
    for _ in range(count):
        answer = await call(app, request)
        events += len(answer.chunks)
        seconds += answer.total_seconds
    return events / seconds


async def sse_rows(data_dir: Path, rounds: int) -> list[Row]:
    """POST /v1/chat/completions with stream: true, inference migrated, through the gateway and alone."""
    short, long = chat_request(1), chat_request(SSE_WORDS)
    async with running_gateway(apis.registry, "migrated", data_dir) as gateway:
        inference = next(api for api in gateway.runtime.apis if api.name == "inference")
        assert inference.migrated is not None
        bare = inference.migrated
        chunk_counts = {}
        for name, app in (("gateway", gateway), ("bare", bare)):
            answer = await expect(app, long)
            # Role chunk, one per word, finish chunk: each event must be its own body message.
            chunk_counts[name] = (len(answer.chunks), len(sse_events(answer.body)))
        first = await alternate_async(
            {
                "gateway": lambda: _first_event_us(gateway, short, 200),
                "bare": lambda: _first_event_us(bare, short, 200),
            },
            rounds,
        )
        throughput = await alternate_async(
            {
                "gateway": lambda: _events_per_second(gateway, long, 5),
                "bare": lambda: _events_per_second(bare, long, 5),
            },
            rounds,
        )
    extra = paired_differences(first["gateway"], first["bare"])
    speed = paired_ratios(throughput["gateway"], throughput["bare"])
    expected = SSE_WORDS + 2
    unbuffered = all(chunks == events == expected for chunks, events in chunk_counts.values())
    return [
        Row(
            SECTION,
            "SSE time to first event, gateway minus bare",
            median(extra),
            " µs",
            detail=f"gateway {_us(median(first['gateway']))}, inference app alone {_us(median(first['bare']))}",
            target=Target("<=", 5.0, " µs"),
            data={"samples_us": first, "per_round": extra},
        ),
        Row(
            SECTION,
            "SSE events/s, gateway vs bare",
            median(speed),
            "×",
            detail=f"{median(throughput['gateway']):.0f} vs {median(throughput['bare']):.0f} events/s "
            f"({expected}-event streams)",
            target=Target(">=", 0.97, "×"),
            data={"samples_events_per_s": throughput, "per_round": speed},
        ),
        Row(
            SECTION,
            "SSE events arriving as separate body chunks",
            float(unbuffered),
            "",
            detail=", ".join(f"{name}: {c} chunks for {e} events" for name, (c, e) in chunk_counts.items()),
            target=Target("==", 1.0),
            data={"expected_events": expected, "chunks_and_events": chunk_counts},
        ),
    ]


SCALES = (10, 100, 1000)
SCALE_REGISTRIES = {10: registry_10, 100: registry_100, 1000: registry_1000}


async def scaling_rows(data_dir: Path, rounds: int) -> list[Row]:
    """The last-registered route at each scale, gateway (migrated) versus the monolithic app."""
    configs: dict[str, tuple[ASGIApp, RequestTemplate]] = {}
    async with AsyncExitStack() as stack:
        for total in SCALES:
            request = RequestTemplate.build("GET", last_route_path(total))
            gateway = await stack.enter_async_context(
                running_gateway(SCALE_REGISTRIES[total], "migrated", data_dir / str(total))
            )
            monolith = monolithic_app(total)
            await expect(gateway, request, backend="migrated")
            await expect(monolith, request)
            configs[f"gateway_{total}"] = (gateway, request)
            configs[f"monolith_{total}"] = (monolith, request)
        measures = {}
        for name, (app, request) in configs.items():
            measures[name] = loop(app, request, await calls_per_round(app, request, ROUND_SECONDS / 2))
        samples = await alternate_async(measures, rounds)
    flat = paired_ratios(samples["gateway_1000"], samples["gateway_10"])
    faster = paired_ratios(samples["monolith_1000"], samples["gateway_1000"])
    m = {name: median(values) for name, values in samples.items()}
    rows = [
        Row(
            SECTION,
            f"last of {total} routes: gateway",
            m[f"gateway_{total}"],
            " µs",
            detail=f"monolithic FastAPI app {_us(m[f'monolith_{total}'])}",
            data={"gateway_us": samples[f"gateway_{total}"], "monolith_us": samples[f"monolith_{total}"]},
        )
        for total in SCALES
    ]
    return [
        *rows,
        Row(
            SECTION,
            "gateway at 1000 routes vs at 10 (time)",
            median(flat),
            "×",
            detail="last-registered route, 10 routes per API",
            target=Target("<=", 1.1, "×"),
            data={"per_round": flat},
        ),
        Row(
            SECTION,
            "gateway speed-up over monolithic FastAPI at 1000 routes",
            median(faster),
            "×",
            detail=f"{_us(m['gateway_1000'])} vs {_us(m['monolith_1000'])}",
            target=Target(">=", 10.0, "×"),
            data={"per_round": faster},
        ),
    ]


async def run(rounds: int = ROUNDS) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as scratch:
        root = Path(scratch)
        return [
            *await dispatcher_rows(root / "raw", rounds),
            *await example_api_rows(root / "example", rounds),
            *await sse_rows(root / "sse", rounds),
            *await scaling_rows(root / "scaling", rounds),
        ]
