"""`gateway openapi`: the OpenAPI document of the whole server, without serving it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from gateway.cli.common import ApisOption, FlagsOption, load_documents, load_routes, load_settings, load_snapshot
from gateway.modes import Side
from gateway.openapi import merged_openapi
from gateway.routes import GatewayRoute


def openapi(
    backend: Annotated[
        Literal["legacy", "migrated", "current"],
        typer.Option(help="legacy or migrated: every route that side has; current: each route as the flags choose."),
    ] = "current",
    flags: FlagsOption = None,
    apis: ApisOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Write the OpenAPI document of the whole server, without starting it."""
    settings = load_settings(flags=flags, apis=apis)
    routes = load_routes(settings)
    snapshot = load_snapshot(settings, routes) if backend == "current" else None

    def side_of(route: GatewayRoute) -> Side:
        if snapshot is not None:
            return snapshot.decisions[route.key].backend
        return "legacy" if backend == "legacy" else "migrated"

    text = json.dumps(merged_openapi(routes, side_of, load_documents(settings)), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
