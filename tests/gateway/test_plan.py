from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.types import Scope

import apis
from gateway import plan
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.modes import MODES
from gateway.request_log import Answer
from gateway.routes import RouteMatch
from gateway.settings import ServerSettings
from gateway.strategies import RouteServing


def test_every_mode_has_a_strategy() -> None:
    assert set(plan.STRATEGIES) == set(MODES)


class _AlwaysMigrated:
    """A made-up mode's strategy: whatever the flags say, the migrated side's header and a fixed body."""

    def __init__(self, serving: RouteServing) -> None:
        self._answer = Answer(serving.guard(PlainTextResponse("made-up mode")), "migrated", reason="api")

    def answer(self, scope: Scope, match: RouteMatch) -> Answer:
        return self._answer


@pytest.mark.anyio
async def test_a_mode_is_served_by_its_strategy_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(plan.STRATEGIES, "legacy", _AlwaysMigrated)
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="legacy"))
    async with app.running():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
            served = await client.get("/v1/models")
            unmatched = await client.get("/v1/nowhere")
    assert (served.text, served.headers["x-gateway-backend"]) == ("made-up mode", "migrated")
    assert (unmatched.status_code, unmatched.headers["x-gateway-backend"]) == (404, "gateway")


@pytest.mark.anyio
async def test_plan_is_made_once_per_flags_version(tmp_path: Path) -> None:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="migrated"))
    async with app.running():
        first = app.runtime.plan()
        assert app.runtime.plan() is first
        live = app.runtime.flags
        live.snapshot = dataclasses.replace(live.snapshot)
        assert app.runtime.plan() is not first
