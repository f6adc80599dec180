"""The comparison a user makes: the reference server's own mixed mode against the gateway, at its size.

A webmethod server measured for this project has 187 routes. Its mixed mode serves a
partial migration from ONE FastAPI app holding every migrated router and every adapter
route (`bench.synthetic_apis.mixed_mode_app`: even APIs migrated, odd ones legacy); the
gateway serves the same registry with the same split (`mixed_mode_flags`). Both answer the
last-registered route (a migrated one) and one in the middle (a legacy one).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.asgi_calls import RequestTemplate, expect
from bench.inprocess import ROUND_SECONDS, SECTION, calls_per_round, loop
from bench.report import Row, Target
from bench.rounds import ROUNDS, alternate_async, median, paired_ratios
from bench.synthetic_apis import (
    api_name,
    api_sizes,
    last_route_path,
    mixed_mode_app,
    mixed_mode_flags,
    route_template,
    synthetic_registry,
)
from gateway.app import GatewayApp
from gateway.settings import ServerSettings

MIXED_ROUTES = 187


def _middle_path(total_routes: int) -> str:
    """The path of a legacy route about halfway through the registration order."""
    middle = len(api_sizes(total_routes)) // 2
    middle += 1 - middle % 2
    return route_template(api_name(middle), 0).replace("{item_id}", "item-1")


async def rows(data_dir: Path, rounds: int) -> list[Row]:
    requests = {
        "last": (RequestTemplate.build("GET", last_route_path(MIXED_ROUTES)), "migrated"),
        "middle": (RequestTemplate.build("GET", _middle_path(MIXED_ROUTES)), "legacy"),
    }
    settings = ServerSettings(data_dir=data_dir)
    gateway = GatewayApp(synthetic_registry(MIXED_ROUTES), settings, flags=mixed_mode_flags(MIXED_ROUTES))
    monolith = mixed_mode_app(MIXED_ROUTES)
    async with gateway.running():
        measures = {}
        for position, (request, side) in requests.items():
            await expect(gateway, request, backend=side)
            await expect(monolith, request)
            count = await calls_per_round(monolith, request, ROUND_SECONDS / 2)
            measures[f"gateway_{position}"] = loop(gateway, request, count)
            measures[f"monolith_{position}"] = loop(monolith, request, count)
        samples = await alternate_async(measures, rounds)
    faster = {
        position: paired_ratios(samples[f"monolith_{position}"], samples[f"gateway_{position}"])
        for position in requests
    }
    m = {name: median(values) for name, values in samples.items()}
    return [
        Row(
            SECTION,
            f"gateway speed-up over the mixed-mode monolith at {MIXED_ROUTES} routes",
            median(faster["last"]),
            "×",
            detail=f"last route (migrated): {m['gateway_last']:.1f} vs {m['monolith_last']:.1f} µs; one FastAPI app "
            "holding every router and adapter route",
            target=Target(">=", 2.5, "×"),
            data={"samples_us": samples, "per_round": faster["last"]},
        ),
        Row(
            SECTION,
            f"… a legacy route halfway through the {MIXED_ROUTES}",
            median(faster["middle"]),
            "×",
            detail=f"{m['gateway_middle']:.1f} vs {m['monolith_middle']:.1f} µs",
            data={"per_round": faster["middle"]},
        ),
    ]


async def run(rounds: int = ROUNDS) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-mixed-") as scratch:
        return await rows(Path(scratch), rounds)
