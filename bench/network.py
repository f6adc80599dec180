"""Over the network: `gateway serve` (uvicorn, 1 worker) versus a bare uvicorn app of the same router.

* req/s and p50/p99 at 32 connections on ``GET /v1/models/{model_id:path}`` (models
  migrated) against bare uvicorn with its access log off and on (the gateway writes its
  request line), load from `wrk` when installed, else from `bench.loadgen`'s Python generator;
* server-sent events on ``POST /v1/chat/completions``: time to first event, events/s, and
  the raw chunked body, which shows that N events left the server as N chunks.

Only 127.0.0.1 is loaded, for a bounded time per round.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path

from bench.asgi_calls import sse_events
from bench.http1 import Connection
from bench.loadgen import LoadResult, run_load, tool_name
from bench.report import Row, Target
from bench.rounds import ROUNDS, alternate, median, paired_ratios
from bench.servers import ServerProcess, bare_command, free_port, gateway_command

SECTION = "network"
MODEL_PATH = "/v1/models/echo"
LOAD_SECONDS = 2.0
WARMUP_SECONDS = 1.0
SSE_WORDS = 1000
SLOW_WORDS = 5


def gateway_server(workdir: Path, flags_text: str = "default: migrated\n") -> ServerProcess:
    flags = workdir / "flags.yaml"
    flags.write_text(flags_text, encoding="utf-8")
    port = free_port()
    return ServerProcess("gateway", gateway_command(port, flags, workdir / "gateway-data"), port, MODEL_PATH, workdir)


def warmed_gateways(stack: ExitStack, scratch: Path, flags_by_name: Mapping[str, str]) -> dict[str, ServerProcess]:
    """One `gateway serve` per flag file, each in its own directory under ``scratch``, warmed up on the models path."""
    servers = {}
    for name, flags in flags_by_name.items():
        workdir = scratch / name
        workdir.mkdir()
        servers[name] = stack.enter_context(gateway_server(workdir, flags))
    for server in servers.values():
        run_load(server.base_url + MODEL_PATH, WARMUP_SECONDS)
    return servers


# A path each bare app answers once started: the models route, or 405 for a GET of the chat route.
READY = {"models": (MODEL_PATH, 200), "inference": ("/v1/chat/completions", 405)}


def bare_server(workdir: Path, api: str, access_log: bool = False) -> ServerProcess:
    port = free_port()
    path, status = READY[api]
    return ServerProcess(
        f"bare-{api}{'-access-log' if access_log else ''}",
        bare_command(port, access_log),
        port,
        path,
        workdir,
        ready_status=status,
        BENCH_BARE_API=api,
        BENCH_DATA_DIR=str(workdir / f"bare-{api}-data"),
    )


BARE = {"bare": "bare uvicorn, access log off", "logged": "bare uvicorn with its access log on"}
"""The two baselines: the floor, and what a server writing a line per request (as the gateway does) costs."""


def load_rows(servers: dict[str, ServerProcess], rounds: int) -> list[Row]:
    """`servers`: the gateway and each of `BARE`, loaded alternately; each baseline against the gateway."""
    results: dict[str, list[LoadResult]] = {name: [] for name in servers}
    for server in servers.values():
        run_load(server.base_url + MODEL_PATH, WARMUP_SECONDS)

    def measure(name: str) -> Callable[[], float]:
        def run() -> float:
            result = run_load(servers[name].base_url + MODEL_PATH, LOAD_SECONDS)
            results[name].append(result)
            return result.requests_per_second

        return run

    rps = alternate({name: measure(name) for name in servers}, rounds)
    p50 = {name: [r.p50_ms for r in results[name]] for name in servers}
    p99 = {name: [r.p99_ms for r in results[name]] for name in servers}
    errors = sum(r.errors for rs in results.values() for r in rs)
    tool = tool_name()
    rows: list[Row] = []
    for bare, label in BARE.items():
        # The targets are against the honest baseline: a server that also writes a line per request.
        judged = bare == "logged"
        speed = paired_ratios(rps["gateway"], rps[bare])
        tail = paired_ratios(p99["gateway"], p99[bare])
        middle = paired_ratios(p50["gateway"], p50[bare])
        rows += [
            Row(
                SECTION,
                f"req/s, gateway vs {label}",
                median(speed),
                "×",
                detail=f"{median(rps['gateway']):.0f} vs {median(rps[bare]):.0f} req/s, 32 connections, {tool}",
                target=Target(">=", 0.92, "×") if judged else None,
                data={"requests_per_second": {"gateway": rps["gateway"], bare: rps[bare]}, "per_round": speed},
            ),
            Row(
                SECTION,
                f"p99 latency, gateway vs {label}",
                median(tail),
                "×",
                detail=f"{median(p99['gateway']):.2f} vs {median(p99[bare]):.2f} ms",
                target=Target("<=", 1.1, "×") if judged else None,
                data={"p99_ms": {"gateway": p99["gateway"], bare: p99[bare]}, "per_round": tail},
            ),
            Row(
                SECTION,
                f"p50 latency, gateway vs {label}",
                median(middle),
                "×",
                detail=f"{median(p50['gateway']):.2f} vs {median(p50[bare]):.2f} ms; {errors} failed requests (all)",
                data={"p50_ms": {"gateway": p50["gateway"], bare: p50[bare]}, "per_round": middle, "errors": errors},
            ),
        ]
    return rows


def _chat(model: str, words: int) -> dict[str, object]:
    return {"model": model, "stream": True, "max_tokens": words, "messages": [{"role": "user", "content": "hello"}]}


async def _first_event_ms(port: int, count: int) -> float:
    connection = Connection("127.0.0.1", port)
    total = 0.0
    try:
        for _ in range(count):
            sent, response = await connection.request("POST", "/v1/chat/completions", json_body=_chat("lorem", 1))
            total += response.chunk_times[0] - sent
    finally:
        await connection.close()
    return total / count * 1000


async def _events_per_second(port: int, count: int) -> tuple[float, list[tuple[int, int]]]:
    connection = Connection("127.0.0.1", port)
    events, seconds, shapes = 0, 0.0, []
    try:
        for _ in range(count):
            sent, response = await connection.request(
                "POST", "/v1/chat/completions", json_body=_chat("lorem", SSE_WORDS)
            )
            events += len(response.chunks)
            seconds += response.chunk_times[-1] - sent
            shapes.append((len(response.chunks), len(sse_events(response.body))))
    finally:
        await connection.close()
    return events / seconds, shapes


async def _slow_echo_gaps_ms(port: int) -> list[float]:
    """slow-echo produces a word every 20 ms; unbuffered, the chunks arrive that far apart."""
    connection = Connection("127.0.0.1", port)
    try:
        words = " ".join(f"w{i}" for i in range(SLOW_WORDS))
        body = {"model": "slow-echo", "stream": True, "messages": [{"role": "user", "content": words}]}
        _, response = await connection.request("POST", "/v1/chat/completions", json_body=body)
    finally:
        await connection.close()
    times = response.chunk_times
    return [(b - a) * 1000 for a, b in zip(times, times[1:], strict=False)]


def sse_rows(gateway: ServerProcess, bare: ServerProcess, rounds: int) -> list[Row]:
    ports = {"gateway": gateway.port, "bare": bare.port}
    shapes: dict[str, list[tuple[int, int]]] = {name: [] for name in ports}

    def first(name: str) -> Callable[[], float]:
        return lambda: asyncio.run(_first_event_ms(ports[name], 30))

    def throughput(name: str) -> Callable[[], float]:
        def run() -> float:
            rate, shape = asyncio.run(_events_per_second(ports[name], 3))
            shapes[name].extend(shape)
            return rate

        return run

    for port in ports.values():
        asyncio.run(_first_event_ms(port, 10))
    ttfe = alternate({name: first(name) for name in ports}, rounds)
    rate = alternate({name: throughput(name) for name in ports}, rounds)
    gaps = {name: asyncio.run(_slow_echo_gaps_ms(port)) for name, port in ports.items()}
    expected = SSE_WORDS + 2
    unbuffered = all(chunks == events == expected for shape in shapes.values() for chunks, events in shape)
    # slow-echo's words arrive about 20 ms apart, not all at the end (the finish chunk follows the last word).
    spread = all(min(g[:-1]) >= 10.0 for g in gaps.values())
    first_ratio = paired_ratios(ttfe["gateway"], ttfe["bare"])
    speed = paired_ratios(rate["gateway"], rate["bare"])
    return [
        Row(
            SECTION,
            "SSE time to first event, gateway vs bare",
            median(first_ratio),
            "×",
            detail=f"{median(ttfe['gateway']):.3f} vs {median(ttfe['bare']):.3f} ms (1-word lorem stream)",
            data={"ms": ttfe, "per_round": first_ratio},
        ),
        Row(
            SECTION,
            "SSE events/s, gateway vs bare",
            median(speed),
            "×",
            detail=f"{median(rate['gateway']):.0f} vs {median(rate['bare']):.0f} events/s ({expected}-event streams)",
            target=Target(">=", 0.97, "×"),
            data={"events_per_second": rate, "per_round": speed},
        ),
        Row(
            SECTION,
            "SSE: N events arrive as N HTTP chunks",
            float(unbuffered and spread),
            "",
            detail=f"{expected} events → {shapes['gateway'][0][0]} chunks through the gateway; slow-echo chunk gaps "
            + ", ".join(f"{name} {min(g[:-1]):.0f}-{max(g[:-1]):.0f} ms" for name, g in gaps.items()),
            target=Target("==", 1.0),
            data={"chunks_and_events": shapes, "slow_echo_gaps_ms": gaps},
        ),
    ]


def run(rounds: int = ROUNDS) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-network-") as scratch:
        workdir = Path(scratch)
        with gateway_server(workdir) as gateway:
            with bare_server(workdir, "models") as bare, bare_server(workdir, "models", access_log=True) as logged:
                rows = load_rows({"gateway": gateway, "bare": bare, "logged": logged}, rounds)
            with bare_server(workdir, "inference") as bare:
                rows += sse_rows(gateway, bare, rounds)
        return rows
