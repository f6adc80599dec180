from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from gateway import ApiContext, ApiRegistry
from gateway.exceptions import ApiDependencyError, UnknownApiError
from gateway.lifecycle import ServedApi, started_apis
from gateway.settings import ServerSettings


@asynccontextmanager
async def _nothing(context: ApiContext) -> AsyncIterator[object]:
    yield object()


def _app(implementation: Any, context: ApiContext) -> Starlette:
    return Starlette()


def test_registry_keeps_registration_order() -> None:
    registry = ApiRegistry()
    for name in ("models", "files", "batches"):
        registry.register_api(name, implementation=_nothing, legacy=_app)
    assert registry.names == ["models", "files", "batches"]
    assert registry["files"].migrated is None


def test_registry_refuses_the_same_name_twice() -> None:
    registry = ApiRegistry()
    registry.register_api("models", implementation=_nothing, legacy=_app)
    with pytest.raises(ValueError, match="'models' is registered twice"):
        registry.register_api("models", implementation=_nothing, legacy=_app)


def test_registry_unknown_api_suggests_closest_name() -> None:
    registry = ApiRegistry()
    registry.register_api("models", implementation=_nothing, legacy=_app)
    registry.register_api("batches", implementation=_nothing, legacy=_app)
    with pytest.raises(
        UnknownApiError, match="unknown API 'modles' \\(did you mean 'models'\\?\\); registered: batches"
    ):
        registry["modles"]


class Catalogue:
    pass


class Shelf:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue


@asynccontextmanager
async def _catalogue(context: ApiContext) -> AsyncIterator[Catalogue]:
    yield Catalogue()


@asynccontextmanager
async def _shelf(context: ApiContext) -> AsyncIterator[Shelf]:
    yield Shelf(context.implementation(Catalogue))


async def _start(*apis: tuple[str, Any], data_dir: Path) -> list[ServedApi]:
    registry = ApiRegistry()
    for name, factory in apis:
        registry.register_api(name, implementation=factory, legacy=_app)
    async with started_apis(registry, ServerSettings(data_dir=data_dir)) as served:
        return served


@pytest.mark.anyio
async def test_api_context_gives_an_earlier_api_implementation_by_its_type(tmp_path: Path) -> None:
    catalogue, shelf = await _start(("catalogue", _catalogue), ("shelf", _shelf), data_dir=tmp_path)

    assert shelf.implementation.catalogue is catalogue.implementation


@pytest.mark.anyio
async def test_api_context_refuses_an_implementation_registered_later(tmp_path: Path) -> None:
    with pytest.raises(ApiDependencyError) as raised:
        await _start(("shelf", _shelf), ("catalogue", _catalogue), data_dir=tmp_path)

    assert str(raised.value) == (
        "API 'shelf' needs a Catalogue, which no API started before it provides (started: none); "
        "register the API that provides it before 'shelf'"
    )


@pytest.mark.anyio
async def test_api_context_refuses_a_type_several_apis_provide(tmp_path: Path) -> None:
    with pytest.raises(ApiDependencyError, match=r"'shelf' needs a Catalogue, which several APIs provide \(old, new\)"):
        await _start(("old", _catalogue), ("new", _catalogue), ("shelf", _shelf), data_dir=tmp_path)


def test_api_context_clock_is_the_system_time_unless_given(tmp_path: Path) -> None:
    context = ApiContext(data_dir=tmp_path, max_body_size=1, implementations={})

    assert context.clock is time.time
