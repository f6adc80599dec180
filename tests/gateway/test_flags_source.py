from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.exceptions import FlagsError
from gateway.flags import FlagFile
from gateway.flags_source import FIXED_PATH, FixedFlags, FollowedFile, flags_source
from gateway.routes import GatewayRoute
from tests.captured_logs import captured_logs

ROUTES = (GatewayRoute("models", "GET", "/v1/models", legacy=True, migrated=True),)


def test_flags_source_of_a_path_follows_the_file_and_of_flags_is_fixed(tmp_path: Path) -> None:
    assert isinstance(flags_source(tmp_path / "flags.yaml"), FollowedFile)
    assert isinstance(flags_source(FlagFile()), FixedFlags)


@pytest.mark.anyio
async def test_fixed_flags_are_resolved_against_the_routes_and_named_fixed() -> None:
    async with FixedFlags(FlagFile(default="migrated")).followed(ROUTES) as live:
        assert live.snapshot.path == FIXED_PATH
        assert live.snapshot.decisions["GET /v1/models"].backend == "migrated"


@pytest.mark.anyio
async def test_followed_file_is_logged_when_loaded_and_watched_until_the_block_ends(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text("default: legacy\n")
    with captured_logs() as logs:
        async with FollowedFile(path).followed(ROUTES) as live:
            watchers = [task for task in asyncio.all_tasks() if "FlagsWatcher.run" in repr(task.get_coro())]
            assert len(watchers) == 1
    await asyncio.sleep(0)
    assert watchers[0].cancelled()
    assert live.snapshot.decisions["GET /v1/models"].backend == "legacy"
    assert [line["path"] for line in logs if line["event"] == "flags_loaded"] == [str(path)]


@pytest.mark.anyio
async def test_followed_file_that_is_invalid_at_start_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text("default: sideways\n")
    with pytest.raises(FlagsError, match="unknown mode 'sideways'"):
        async with FollowedFile(path).followed(ROUTES):
            pass
