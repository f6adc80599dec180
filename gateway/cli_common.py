"""What every `gateway` command shares: options, settings, loading the APIs, failing with status 2."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from gateway.auth import GatewayAuth
from gateway.colour import wants_colour
from gateway.exceptions import GatewayError
from gateway.flags import FlagsSnapshot
from gateway.loading import load_registry
from gateway.offline import scratch_apis
from gateway.openapi import api_documents
from gateway.registry import ApiRegistry
from gateway.reload import read_snapshot
from gateway.routes import GatewayRoute, collect_routes
from gateway.settings import ServerSettings, validation_message

FlagsOption = Annotated[
    Path | None,
    typer.Option("--flags", help="The flag file. [env: GATEWAY_FLAGS; default: config/migration.yaml]"),
]
ApisOption = Annotated[
    str | None,
    typer.Option(help="Module whose `registry` lists the APIs, as 'module' or 'module:attr'. [default: apis]"),
]


def fail(message: str) -> typer.Exit:
    """Report bad input on stderr; the caller raises the returned exit (status 2)."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED, color=wants_colour(sys.stderr))
    return typer.Exit(code=2)


def load_settings(**given: Any) -> ServerSettings:
    """Settings from the options given on the command line, the environment, and the defaults."""
    try:
        return ServerSettings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise fail(validation_message(exc, given)) from exc


def load_app_registry(settings: ServerSettings) -> ApiRegistry:
    try:
        return load_registry(settings.apis)
    except GatewayError as exc:
        raise fail(str(exc)) from exc


async def _served(
    registry: ApiRegistry, flags: Path | None, documents: bool
) -> tuple[list[GatewayRoute], Any, FlagsSnapshot | None]:
    async with scratch_apis(registry) as apis:
        routes = collect_routes(apis)
        snapshot = read_snapshot(flags, tuple(routes)) if flags is not None else None
        return routes, api_documents(apis) if documents else {}, snapshot


def served(
    registry: ApiRegistry, flags: Path | None, *, documents: bool = False
) -> tuple[list[GatewayRoute], Any, FlagsSnapshot | None]:
    """The routes of every API (and their documents if asked), and the flags resolved against them.

    Bad flags exit with status 2. Building documents is the slow part, hence on request.
    """
    try:
        return asyncio.run(_served(registry, flags, documents))
    except GatewayError as exc:
        raise fail(str(exc)) from exc


def check_auth(settings: ServerSettings, routes: list[GatewayRoute]) -> None:
    """With --auth: a usable authenticator and the same requirement on both sides of every route, else exit 2."""
    if settings.auth is None:
        # Nothing to refuse; each worker warns `auth_disabled` in its own log.
        return
    try:
        GatewayAuth.from_setting(settings.auth).check(routes)
    except GatewayError as exc:
        raise fail(str(exc)) from exc
