"""The server settings: built once from the command line and `GATEWAY_*` variables, then frozen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.bearer import TOKEN_CHARACTERS, is_bearer_token
from gateway.exceptions import SettingError
from gateway.shadowing import BUSY_SHARE, QUEUE_SIZE, TIMEOUT_SECONDS
from proof import DEFAULT_BODY_LIMIT
from proof.record.writer import QUEUE_SIZE as RECORD_QUEUE_SIZE

LogFormat = Literal["json", "console"]
AdminMode = Literal["on", "off"]
KIB = 1024
MIB = 1024 * KIB
ENV_PREFIX = "GATEWAY_"
# Named in errors, never shown: an error message may end up in a shared log.
SECRET_SETTINGS = frozenset({"admin_token"})


class ServerSettings(BaseSettings):
    """Settings of `gateway serve`.

    Every field can come from the environment with a ``GATEWAY_`` prefix; explicit
    arguments win::

        ServerSettings()                                   # defaults and environment
        ServerSettings(port=9000, data_dir=Path("/var/lib/gw"))
    """

    # Settings hold secrets (the admin token): an error names the field, never echoes its value.
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, hide_input_in_errors=True)

    host: str = "127.0.0.1"
    flags: Path = Field(default=Path("config/migration.yaml"), description="The flag file to follow.")
    workers: int = Field(default=1, ge=1, description="Worker processes; each follows the flag file.")
    port: int = Field(default=8321, ge=0, le=65535)
    apis: str = "apis"
    data_dir: Path = Path(".data")
    database: str | None = Field(
        default=None,
        repr=False,
        description="A database URL the APIs keep their state in instead of SQLite under the data dir; "
        "replicas given the same one share their state.",
    )
    database_lease: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a replica's claim on shared work (a running batch) lasts unless renewed; "
        "once it lapses, another replica takes the work over.",
    )
    max_body_size: int = Field(default=100 * MIB, ge=0, description="Largest request body accepted, in bytes.")
    max_header_size: int = Field(
        default=64 * KIB, gt=0, description="Largest request head (request line and headers) accepted, in bytes."
    )
    header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a connection has to send a complete request head, else it is closed."
    )
    graceful_timeout: int = Field(
        default=30, ge=0, description="Seconds shutdown waits for requests in flight, streams included, then ends them."
    )
    log_format: LogFormat = "json"
    admin: AdminMode = Field(default="on", description="Serve /_gateway/* and /metrics at all.")
    admin_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve the admin surface on this port instead of the gateway's."
    )
    admin_token: str | None = Field(
        default=None,
        repr=False,
        description="A bearer token every admin request needs; serves the admin surface on any listener.",
    )
    shadow_queue: int = Field(
        default=QUEUE_SIZE, ge=1, description="Shadowed requests waiting for comparison per worker; beyond, skipped."
    )
    shadow_timeout: float = Field(
        default=TIMEOUT_SECONDS, gt=0, description="Seconds the router has to answer a shadowed request, else skipped."
    )
    shadow_busy_share: float = Field(
        default=BUSY_SHARE,
        gt=0,
        le=1,
        description="Most of a busy worker's time shadow comparisons take; a worker with no request coming in "
        "compares at once.",
    )
    shadow_max_body_size: int = Field(
        default=DEFAULT_BODY_LIMIT,
        ge=0,
        description="Largest request or response body of a shadowed request, in bytes.",
    )
    record_dir: Path | None = Field(
        default=None,
        description="Where recorded exchanges are written (flag `record`); <data-dir>/recordings if unset.",
    )
    record_max_mb: int = Field(default=64, gt=0, description="Size in MB at which a recording file is rotated.")
    record_queue: int = Field(
        default=RECORD_QUEUE_SIZE,
        ge=1,
        description="Recorded exchanges waiting for the disk per worker; beyond, dropped and counted.",
    )
    record_redact: list[str] = Field(
        default_factory=list,
        description="Headers stored as <redacted> in recordings, besides authorization, cookie and x-provider-data.",
    )
    allow_force_header: bool = Field(
        default=False, description="Let x-gateway-force-backend: legacy|migrated on a request pick its side."
    )
    auth: str | None = Field(
        default=None,
        description="A tokens file or a 'module:callable' provider; each route's requirement is then enforced.",
    )

    @field_validator("admin_token")
    @classmethod
    def _sendable_token(cls, token: str | None) -> str | None:
        if token is not None and not is_bearer_token(token):
            raise ValueError(f"a client could never send this token; a token is {TOKEN_CHARACTERS}")
        return token


def describe_setting(field: str, value: object, command_line: Mapping[str, Any]) -> str:
    """A setting named as the person gave it, for an error message.

    ``--port 8321`` when it came from the command line (or is the default), and
    ``GATEWAY_PORT='abc' (--port)`` when it came from the environment.
    """
    option = "--" + field.replace("_", "-")
    secret = field in SECRET_SETTINGS
    if command_line.get(field) is None:
        variable = ENV_PREFIX + field.upper()
        for name, raw in os.environ.items():
            # pydantic-settings matches variable names whatever their case.
            if name.upper() == variable:
                return f"{name}={'<hidden>' if secret else repr(raw)} ({option})"
    return f"{option} {'<hidden>' if secret else value}"


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
