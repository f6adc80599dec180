"""A server run by hand takes the gateway for the ASGI 3 app it is."""

from pathlib import Path

import uvicorn

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.settings import ServerSettings


def test_uvicorn_detects_the_gateway_as_asgi3_without_being_told(tmp_path: Path) -> None:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile())
    config = uvicorn.Config(app)
    config.load()

    assert config.interface == "asgi3"
