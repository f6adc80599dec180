"""The `gateway` command."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Literal

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from gateway.__about__ import __version__
from gateway.admin import route_table
from gateway.cli_common import ApisOption, FlagsOption, check_auth, fail, load_app_registry, load_settings, served
from gateway.cli_diff import diff
from gateway.exceptions import SettingError
from gateway.flags_cli import flags_app
from gateway.http_protocol import http_protocol
from gateway.lifecycle import prepare_data_dir
from gateway.listener import bind_listener, serve_on
from gateway.logs import configure_logging
from gateway.metrics import shared_across_workers
from gateway.modes import Side
from gateway.openapi import merged_openapi
from gateway.routes import GatewayRoute
from gateway.settings import AdminMode, LogFormat, setting_error_message

app = typer.Typer(
    help="Strangler Gateway: serve a @webmethod API server while it moves to FastAPI routers, one API at a time.",
    no_args_is_help=True,
    add_completion=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"gateway {__version__}")
        raise typer.Exit()


@app.callback()
def _commands(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Strangler Gateway: serve a @webmethod API server while it moves to FastAPI routers, one API at a time."""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on. [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on. [default: 8321]")] = None,
    flags: FlagsOption = None,
    apis: ApisOption = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the example APIs keep their SQLite database and files. [default: .data]")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes; each follows the flag file. [default: 1]")
    ] = None,
    max_body_size: Annotated[
        int | None,
        typer.Option(help="Largest request body accepted, in bytes; larger ones get 413. [default: 100 MiB]"),
    ] = None,
    max_header_size: Annotated[
        int | None,
        typer.Option(help="Largest request head (request line and headers) in bytes, else 431. [default: 64 KiB]"),
    ] = None,
    header_timeout: Annotated[
        float | None,
        typer.Option(help="Seconds a connection has to send a complete request head, else it is closed. [default: 10]"),
    ] = None,
    graceful_timeout: Annotated[
        int | None,
        typer.Option(help="Seconds shutdown waits for requests in flight, then ends open streams. [default: 30]"),
    ] = None,
    log_format: Annotated[
        LogFormat | None, typer.Option(help="json lines, or console for a person. [default: json]")
    ] = None,
    admin: Annotated[
        AdminMode | None, typer.Option(help="Serve the read-only /_gateway/* and /metrics endpoints. [default: on]")
    ] = None,
    admin_port: Annotated[
        int | None, typer.Option(help="Serve them on this port instead, e.g. one a firewall keeps private.")
    ] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(
            help="Admin requests need 'Authorization: Bearer TOKEN'; serves them on a non-loopback --host too. "
            "Prefer GATEWAY_ADMIN_TOKEN: the process list shows options."
        ),
    ] = None,
    auth: Annotated[
        str | None,
        typer.Option(
            help="Enforce each route's authentication: a tokens file (YAML `tokens: {TOKEN: {user, scopes}}`) "
            "or a MODULE:CALLABLE provider. [default: nothing enforced]"
        ),
    ] = None,
) -> None:
    """Serve the registered APIs, each route from the side the flag file chooses.

    The flag file is re-read while the server runs: edit it (or use `gateway flags set`)
    and the change is in force within a second. Every option can also be set with a
    GATEWAY_* environment variable (GATEWAY_PORT=9000).
    """
    command_line = {
        "host": host,
        "port": port,
        "flags": flags,
        "apis": apis,
        "data_dir": data_dir,
        "workers": workers,
        "max_body_size": max_body_size,
        "max_header_size": max_header_size,
        "header_timeout": header_timeout,
        "graceful_timeout": graceful_timeout,
        "log_format": log_format,
        "admin": admin,
        "admin_port": admin_port,
        "admin_token": admin_token,
        "auth": auth,
    }
    settings = load_settings(**command_line)
    with ExitStack() as stack:
        try:
            # The port first: nothing else is worth starting if the server cannot listen.
            listener = stack.enter_context(bind_listener(settings.host, settings.port))
            if settings.admin == "on" and settings.admin_port is not None:
                # Each worker binds the admin port itself, later; a taken one is reported here, once.
                bind_listener(settings.host, settings.admin_port, port_setting="admin_port").close()
            prepare_data_dir(settings.data_dir)
        except SettingError as exc:
            raise fail(setting_error_message(exc, settings, command_line)) from exc
        registry = load_app_registry(settings)
        serving, _, _ = served(registry, settings.flags)
        check_auth(settings, serving)
        # Every worker process builds its app from these, through gateway.app:create_app.
        for name, value in settings.model_dump(exclude_none=True).items():
            os.environ[f"GATEWAY_{name.upper()}"] = str(value)
        configure_logging(settings.log_format)
        config = uvicorn.Config(
            "gateway.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_config=None,
            access_log=False,
            http=http_protocol(settings),
            timeout_graceful_shutdown=settings.graceful_timeout,
        )
        stack.enter_context(shared_across_workers(settings.workers))
        serve_on(config, listener)


@app.command()
def routes(flags: FlagsOption = None, apis: ApisOption = None) -> None:
    """List every route: its API, which sides implement it, the backend the flags choose, and who may call it."""
    settings = load_settings(flags=flags, apis=apis)
    table_routes, _, snapshot = served(load_app_registry(settings), settings.flags)
    assert snapshot is not None
    rows = [
        {**row, "legacy auth": route.legacy_auth or "-", "migrated auth": route.migrated_auth or "-"}
        for route, row in zip(table_routes, route_table(table_routes, snapshot), strict=True)
    ]
    table = Table(*rows[0])
    for row in rows:
        table.add_row(*(("yes" if v else "no") if isinstance(v, bool) else str(v) for v in row.values()))
    Console(width=200).print(table)


@app.command()
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
    registry = load_app_registry(settings)
    all_routes, documents, snapshot = served(registry, settings.flags if backend == "current" else None, documents=True)

    def side_of(route: GatewayRoute) -> Side:
        if snapshot is not None:
            return snapshot.decisions[route.key].backend
        return "legacy" if backend == "legacy" else "migrated"

    text = json.dumps(merged_openapi(all_routes, side_of, documents), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)


app.add_typer(flags_app, name="flags")
app.command()(diff)


def main() -> None:
    app()
