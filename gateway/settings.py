"""The server settings: built once from the command line and `GATEWAY_*` variables, then frozen."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LogFormat = Literal["json", "console"]
AdminMode = Literal["on", "off"]
MIB = 1024 * 1024


class ServerSettings(BaseSettings):
    """Settings of `gateway serve`.

    Every field can come from the environment with a ``GATEWAY_`` prefix; explicit
    arguments win::

        ServerSettings()                                   # defaults and environment
        ServerSettings(port=9000, data_dir=Path("/var/lib/gw"))
    """

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", frozen=True)

    host: str = "127.0.0.1"
    flags: Path = Field(default=Path("config/migration.yaml"), description="The flag file to follow.")
    workers: int = Field(default=1, ge=1, description="Worker processes; each follows the flag file.")
    port: int = Field(default=8321, ge=0, le=65535)
    apis: str = "apis"
    data_dir: Path = Path(".data")
    max_body_size: int = Field(default=100 * MIB, ge=0, description="Largest request body accepted, in bytes.")
    log_format: LogFormat = "json"
    admin: AdminMode = Field(default="on", description="Serve /_gateway/* and /metrics at all.")
    admin_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve the admin surface on this port instead of the gateway's."
    )
