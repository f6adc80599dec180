from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.settings import ServerSettings


@pytest.mark.anyio
async def test_what_a_worker_serves_with_is_out_of_full_collections_while_it_runs(tmp_path: Path) -> None:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default="migrated"))
    assert gc.get_freeze_count() == 0

    async with app.running():
        ready = gc.get_freeze_count()
        # A full collection walks the oldest generation, not what start-up built.
        assert not any(obj is app.runtime.plan() for obj in gc.get_objects(generation=2))
        warm_up = app.runtime.warm_up
        assert warm_up is not None
        await asyncio.wait_for(warm_up.finished.wait(), timeout=10)
        # The routes the warm-up built live as long as the worker too.
        warmed = gc.get_freeze_count()

    assert ready > 0 and warmed > ready
    # Stopped, the app's objects may be garbage in the process that embedded it.
    assert gc.get_freeze_count() == 0
