from __future__ import annotations

from pathlib import Path

import pytest

import apis
from gateway import ApiRegistry
from gateway.lifecycle import started_apis
from gateway.offline import placeholder_apis
from gateway.routes import collect_routes
from gateway.settings import ServerSettings
from tests.gateway import auth_apis, renamed_parameter_api


@pytest.mark.anyio
@pytest.mark.parametrize(
    "registry",
    [
        pytest.param(apis.registry, id="example-apis"),
        pytest.param(auth_apis.mismatched, id="auth-requirements"),
        pytest.param(renamed_parameter_api.registry, id="partial-migration"),
    ],
)
async def test_placeholder_apis_have_the_routes_of_the_started_ones(registry: ApiRegistry, tmp_path: Path) -> None:
    settings = ServerSettings(data_dir=tmp_path / "data")
    async with started_apis(registry, settings) as started:
        assert collect_routes(placeholder_apis(registry, settings)) == collect_routes(started)


def test_placeholder_apis_touch_no_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    placeholder_apis(apis.registry, ServerSettings(data_dir=data_dir))
    assert not data_dir.exists()


def test_a_placeholder_implementation_refuses_to_be_called() -> None:
    (models, *_) = placeholder_apis(apis.registry, ServerSettings())
    with pytest.raises(RuntimeError, match="nothing may call it"):
        models.implementation.list_models()
