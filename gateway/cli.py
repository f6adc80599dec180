"""The `gateway` command."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from pydantic import ValidationError

from gateway.exceptions import GatewayError
from gateway.lifecycle import Side, started_apis
from gateway.loading import load_registry
from gateway.logs import configure_logging
from gateway.openapi import side_openapi
from gateway.registry import ApiRegistry
from gateway.settings import LogFormat, ServerSettings
from gateway.single_side import SingleSideApp

app = typer.Typer(
    help="Strangler Gateway: serve a @webmethod API server while it moves to FastAPI routers, one API at a time.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _commands() -> None:
    """Strangler Gateway: serve a @webmethod API server while it moves to FastAPI routers, one API at a time."""


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on. [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on. [default: 8321]")] = None,
    apis: Annotated[
        str | None,
        typer.Option(help="Module whose `registry` lists the APIs, as 'module' or 'module:attr'. [default: apis]"),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the example APIs keep their SQLite database and files. [default: .data]")
    ] = None,
    max_body_size: Annotated[
        int | None,
        typer.Option(help="Largest request body accepted, in bytes; larger ones get 413. [default: 100 MiB]"),
    ] = None,
    log_format: Annotated[
        LogFormat | None, typer.Option(help="json lines, or console for a person. [default: json]")
    ] = None,
    side: Annotated[Side, typer.Option(help="Serve every API from this side.")] = "legacy",
) -> None:
    """Serve the registered APIs over HTTP with uvicorn.

    Every option can also be set with a GATEWAY_* environment variable (GATEWAY_PORT=9000).
    """
    given: dict[str, Any] = {
        "host": host,
        "port": port,
        "apis": apis,
        "data_dir": data_dir,
        "max_body_size": max_body_size,
        "log_format": log_format,
    }
    try:
        settings = ServerSettings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise _fail(str(exc)) from exc
    try:
        registry = load_registry(settings.apis)
    except GatewayError as exc:
        raise _fail(str(exc)) from exc
    configure_logging(settings.log_format)
    uvicorn.run(
        SingleSideApp(registry, settings, side),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )


async def _side_document(registry: ApiRegistry, side: Side) -> dict[str, Any]:
    # The apps are built over started implementations; a scratch data directory keeps
    # the real one untouched.
    with tempfile.TemporaryDirectory(prefix="gateway-openapi-") as scratch:
        async with started_apis(registry, ServerSettings(data_dir=Path(scratch))) as apis:
            return side_openapi(apis, side)


@app.command()
def openapi(
    backend: Annotated[Side, typer.Option(help="The side whose document to write.")] = "legacy",
    apis: Annotated[str, typer.Option(help="Module whose `registry` lists the APIs.")] = "apis",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Write the OpenAPI document of every API served from one side, without starting a server."""
    try:
        registry = load_registry(apis)
    except GatewayError as exc:
        raise _fail(str(exc)) from exc
    text = json.dumps(asyncio.run(_side_document(registry, backend)), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)


def main() -> None:
    app()
