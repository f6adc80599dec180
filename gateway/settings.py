"""The server settings: built once from the command line and `GATEWAY_*` variables, then frozen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.exceptions import SettingError

LogFormat = Literal["json", "console"]
AdminMode = Literal["on", "off"]
MIB = 1024 * 1024
ENV_PREFIX = "GATEWAY_"


class ServerSettings(BaseSettings):
    """Settings of `gateway serve`.

    Every field can come from the environment with a ``GATEWAY_`` prefix; explicit
    arguments win::

        ServerSettings()                                   # defaults and environment
        ServerSettings(port=9000, data_dir=Path("/var/lib/gw"))
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True)

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


def describe_setting(field: str, value: object, command_line: Mapping[str, Any]) -> str:
    """A setting named as the person gave it, for an error message.

    ``--port 8321`` when it came from the command line (or is the default), and
    ``GATEWAY_PORT='abc' (--port)`` when it came from the environment.
    """
    option = "--" + field.replace("_", "-")
    if command_line.get(field) is None:
        variable = ENV_PREFIX + field.upper()
        for name, raw in os.environ.items():
            # pydantic-settings matches variable names whatever their case.
            if name.upper() == variable:
                return f"{name}={raw!r} ({option})"
    return f"{option} {value}"


def validation_message(error: ValidationError, command_line: Mapping[str, Any]) -> str:
    """A validation error of `ServerSettings` on one line: each setting at fault, as given, and what it should be."""
    problems = []
    for detail in error.errors():
        problem = detail["msg"][:1].lower() + detail["msg"][1:]
        if detail["loc"]:
            problem = f"{describe_setting(str(detail['loc'][0]), detail['input'], command_line)}: {problem}"
        problems.append(problem)
    return "; ".join(problems)


def setting_error_message(error: SettingError, settings: ServerSettings, command_line: Mapping[str, Any]) -> str:
    """`error` on one line, its setting named as the person gave it."""
    return f"{describe_setting(error.setting, getattr(settings, error.setting), command_line)}: {error.problem}"
