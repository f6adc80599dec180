"""What every `gateway` command shares: options, settings, loading routes and flags, failing with status 2."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from gateway.auth import GatewayAuth
from gateway.colour import wants_colour
from gateway.exceptions import GatewayError
from gateway.flags import FlagsSnapshot
from gateway.loading import load_registry
from gateway.offline import placeholder_apis, scratch_apis
from gateway.openapi import Documents, api_documents
from gateway.reload import read_snapshot
from gateway.routes import GatewayRoute, collect_routes
from gateway.settings import KIB, MIB, ServerSettings, validation_message


def default(setting: str) -> str:
    """How `--help` shows a setting's default, read from `ServerSettings` so the two never differ."""
    value = ServerSettings.model_fields[setting].default
    if setting.endswith("_size") and isinstance(value, int):
        for unit, size in (("MiB", MIB), ("KiB", KIB)):
            if value and value % size == 0:
                return f"{value // size} {unit}"
    return str(value)


FlagsOption = Annotated[
    Path | None,
    typer.Option("--flags", help="The flag file (or GATEWAY_FLAGS).", show_default=default("flags")),
]
ApisOption = Annotated[
    str | None,
    typer.Option(
        help="Module whose `registry` lists the APIs, as 'module' or 'module:attr'.", show_default=default("apis")
    ),
]


def fail(message: str) -> typer.Exit:
    """Report bad input on stderr; the caller raises the returned exit (status 2)."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED, color=wants_colour(sys.stderr))
    return typer.Exit(code=2)


@contextmanager
def reported() -> Iterator[None]:
    """A `GatewayError` inside becomes its message on stderr and exit status 2."""
    try:
        yield
    except GatewayError as exc:
        raise fail(str(exc)) from exc


def load_settings(**given: Any) -> ServerSettings:
    """Settings from the options given on the command line, the environment, and the defaults."""
    try:
        return ServerSettings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise fail(validation_message(exc, given)) from exc


def load_routes(settings: ServerSettings) -> tuple[GatewayRoute, ...]:
    """Every route of the registry `--apis` names, read from apps built over placeholders: nothing is started."""
    with reported():
        return tuple(collect_routes(placeholder_apis(load_registry(settings.apis), settings)))


def load_snapshot(settings: ServerSettings, routes: tuple[GatewayRoute, ...] | None = None) -> FlagsSnapshot:
    """The flag file of `settings`, validated and resolved against `routes` (read if not given)."""
    with reported():
        return read_snapshot(settings.flags, load_routes(settings) if routes is None else routes)


async def _documents(settings: ServerSettings) -> Documents:
    async with scratch_apis(load_registry(settings.apis)) as apis:
        return api_documents(apis)


def load_documents(settings: ServerSettings) -> Documents:
    """Each side's OpenAPI document by (API, side); the APIs are started on a scratch directory to build them."""
    with reported():
        return asyncio.run(_documents(settings))


def check_auth(settings: ServerSettings, routes: tuple[GatewayRoute, ...]) -> None:
    """With --auth: a usable authenticator and the same requirement on both sides of every route, else exit 2."""
    if settings.auth is None:
        # Nothing to refuse; each worker warns `auth_disabled` in its own log.
        return
    with reported():
        GatewayAuth.from_setting(settings.auth).check(routes)
