"""Where the time of one in-process loop goes: cProfile over many calls, the top functions printed.

    python -m bench.profile dispatch        # gateway -> raw ASGI app
    python -m bench.profile migrated        # gateway -> models, migrated
    python -m bench.profile fastapi         # the models FastAPI app alone
    python -m bench.profile legacy          # gateway -> models, legacy
    python -m bench.profile adapter         # the models legacy app alone
    python -m bench.profile sse             # gateway -> inference, a short stream
    python -m bench.profile scaling         # gateway, last of 1000 synthetic routes
    python -m bench.profile monolith        # monolithic FastAPI, last of 1000 routes
    python -m bench.profile startup         # building a gateway over 1000 routes
    python -m bench.profile parts           # each step of the dispatcher's per-request work, timed alone

Profiling inflates small functions' share; read the figures as where, not how much.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
import uvloop
from starlette.types import ASGIApp

import apis
from bench.asgi_calls import RequestTemplate, expect, time_calls
from bench.inprocess import MODEL_REQUEST, RAW_REQUEST, chat_request, running_gateway
from bench.quiet_logs import drop_info_logs
from bench.synthetic_apis import last_route_path, monolithic_app, raw_registry, registry_1000
from gateway.log_context import REQUEST, RequestContext
from gateway.log_output import LogOutput
from gateway.modes import Side
from gateway.registry import ApiRegistry
from gateway.request_line import JsonLines
from gateway.request_log import new_request_id, request_id

Target = Callable[[Path], Awaitable[tuple[ASGIApp, RequestTemplate]]]


@asynccontextmanager
async def _gateway(registry: ApiRegistry, side: Side, data_dir: Path) -> AsyncIterator[ASGIApp]:
    async with running_gateway(registry, side, data_dir) as gateway:
        yield gateway


@asynccontextmanager
async def _target(name: str, data_dir: Path) -> AsyncIterator[tuple[ASGIApp, RequestTemplate]]:
    if name == "dispatch":
        async with _gateway(raw_registry(), "migrated", data_dir) as app:
            yield app, RAW_REQUEST
    elif name in ("migrated", "legacy", "fastapi", "adapter"):
        side: Side = "legacy" if name in ("legacy", "adapter") else "migrated"
        async with running_gateway(apis.registry, side, data_dir) as gateway:
            models = next(api for api in gateway.runtime.apis if api.name == "models")
            alone = models.legacy if side == "legacy" else models.migrated
            assert alone is not None
            yield (gateway if name in ("migrated", "legacy") else alone), MODEL_REQUEST
    elif name == "sse":
        async with _gateway(apis.registry, "migrated", data_dir) as app:
            yield app, chat_request(1)
    elif name == "scaling":
        async with _gateway(registry_1000, "migrated", data_dir) as app:
            yield app, RequestTemplate.build("GET", last_route_path(1000))
    elif name == "monolith":
        yield monolithic_app(1000), RequestTemplate.build("GET", last_route_path(1000))
    else:
        raise SystemExit(f"unknown loop {name!r}")


async def _profile_loop(name: str, count: int, data_dir: Path) -> cProfile.Profile:
    async with _target(name, data_dir) as (app, request):
        await expect(app, request)
        await time_calls(app, request, 200)
        profiler = cProfile.Profile()
        profiler.enable()
        await time_calls(app, request, count)
        profiler.disable()
        return profiler


async def _profile_startup(data_dir: Path) -> cProfile.Profile:
    profiler = cProfile.Profile()
    profiler.enable()
    async with running_gateway(registry_1000, "migrated", data_dir):
        profiler.disable()
    return profiler


def _step_us(step: Callable[[], object], count: int = 20000) -> float:
    """The best of 5 runs of `count` calls, in CPU time."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(count):
            step()
        best = min(best, time.process_time() - started)
    return best / count * 1e6


async def _parts(data_dir: Path) -> list[tuple[str, float]]:
    """The steps of the dispatcher's per-request work, each timed alone in CPU time (µs)."""
    devnull = open(os.devnull, "w")
    chain: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        structlog.processors.JSONRenderer(),
    ]
    unfiltered = structlog.make_filtering_bound_logger(logging.NOTSET)
    structlog_json = structlog.wrap_logger(structlog.WriteLogger(devnull), processors=chain, wrapper_class=unfiltered)
    fields = {"method": "GET", "path": "/v1/models/echo", "reason": "api", "status": 200, "duration_ms": 0.1, "pid": 1}
    json_lines = JsonLines(LogOutput(devnull.fileno()))
    async with running_gateway(apis.registry, "migrated", data_dir) as gateway:
        runtime = gateway.runtime
        scope = dict(MODEL_REQUEST.scope)
        match = runtime.index.match("GET", "/v1/models/echo")
        answer = runtime.plan().strategy(match.key).answer(scope, match)
        assert answer.done is not None
        record = answer.done
        context = RequestContext(new_request_id(), answer.fields)
        message: dict[str, Any] = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"12")],
        }
        extra = (answer.backend_header, (b"x-request-id", b"0" * 32))

        def context_var() -> None:
            REQUEST.reset(REQUEST.set(context))

        steps: list[tuple[str, Callable[[], object]]] = [
            ("request id of a request without one (3 headers scanned)", lambda: request_id(scope)),
            ("RouteIndex.match, static path", lambda: runtime.index.match("GET", "/v1/models")),
            ("RouteIndex.match, {model_id:path} path seen before", lambda: runtime.index.match("GET", "/v1/models/e")),
            ("plan, strategy and answer of the match", lambda: runtime.plan().strategy(match.key).answer(scope, match)),
            ("RequestContext", lambda: RequestContext("0" * 32, answer.fields)),
            ("request ContextVar set + reset", context_var),
            (
                "response start message with 2 headers added",
                lambda: {**message, "headers": [*message["headers"], *extra]},
            ),
            ("request metrics (one process)", lambda: record(200, 0.0001)),
            (
                "JSON request line (gateway.request_line.JsonLines)",
                lambda: json_lines.write(context, "GET", "/", 200, 0.0001, False),
            ),
            ("the same line through structlog's JSONRenderer chain", lambda: structlog_json.info("request", **fields)),
        ]
        results = [(name, _step_us(step)) for name, step in steps]
    devnull.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("loop", help="dispatch, migrated, fastapi, legacy, adapter, sse, scaling, monolith, startup")
    parser.add_argument("--count", type=int, default=5000, help="calls to profile")
    parser.add_argument("--top", type=int, default=30, help="functions to list")
    parser.add_argument("--sort", default="tottime", help="pstats sort key: tottime or cumulative")
    args = parser.parse_args(argv)
    drop_info_logs()
    if args.loop == "parts":
        with tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                for name, micros in runner.run(_parts(Path(scratch))):
                    print(f"{micros:8.2f} µs  {name}")
        return
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
        work: Coroutine[Any, Any, cProfile.Profile] = (
            _profile_startup(Path(scratch))
            if args.loop == "startup"
            else _profile_loop(args.loop, args.count, Path(scratch))
        )
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            profiler = runner.run(work)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
