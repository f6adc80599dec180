from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from gateway.exceptions import SettingError
from gateway.lifecycle import prepare_data_dir, started_apis
from gateway.registry import ApiContext, ApiRegistry
from gateway.settings import ServerSettings


def test_data_dir_missing_is_created_with_its_parents(tmp_path: Path) -> None:
    prepare_data_dir(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SettingError) as caught:
        prepare_data_dir(tmp_path / "a-file")
    assert caught.value.setting == "data_dir"
    assert caught.value.problem.startswith("is not a directory")


def test_data_dir_under_a_file_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SettingError) as caught:
        prepare_data_dir(tmp_path / "a-file" / "data")
    assert caught.value.problem.startswith("cannot create it (Not a directory)")


def test_data_dir_the_server_cannot_write_to_is_refused(unwritable_dir: Path) -> None:
    with pytest.raises(SettingError) as caught:
        prepare_data_dir(unwritable_dir)
    assert caught.value.setting == "data_dir"
    assert caught.value.problem.startswith("cannot write there (Permission denied)")


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    async def bump(self) -> int:
        self.count += 1
        return self.count


@pytest.mark.anyio
async def test_started_apis_share_the_very_implementation_object_made_observable(tmp_path: Path) -> None:
    made: list[_Counter] = []

    @asynccontextmanager
    async def open_counter(context: ApiContext) -> AsyncIterator[_Counter]:
        made.append(_Counter())
        yield made[0]

    seen: list[object] = []

    def app(implementation: Any, context: ApiContext) -> Starlette:
        seen.append(implementation)
        return Starlette()

    registry = ApiRegistry()
    registry.register_api("counter", implementation=open_counter, legacy=app, migrated=app)
    async with started_apis(registry, ServerSettings(data_dir=tmp_path)) as (api,):
        assert api.implementation is made[0] and seen == [made[0], made[0]]
        assert type(api.implementation) is _Counter
        # Observable, and with nobody observing it still does the work.
        assert "bump" in vars(api.implementation)
        assert await api.implementation.bump() == 1


@pytest.mark.anyio
async def test_the_database_settings_reach_every_api_through_its_context(tmp_path: Path) -> None:
    contexts: list[ApiContext] = []

    @asynccontextmanager
    async def remember(context: ApiContext) -> AsyncIterator[object]:
        contexts.append(context)
        yield object()

    registry = ApiRegistry()
    registry.register_api("one", implementation=remember, legacy=lambda impl, context: Starlette())
    registry.register_api("two", implementation=remember, legacy=lambda impl, context: Starlette())
    url = "postgresql://gw:secret@db/gw"
    settings = ServerSettings(data_dir=tmp_path, database=url, database_lease=2.5)

    async with started_apis(registry, settings):
        pass

    assert [(c.api, c.database, c.database_lease) for c in contexts] == [("one", url, 2.5), ("two", url, 2.5)]
