"""`gateway serve`: bind the port, check the settings, then hand the socket to uvicorn.

One worker (the default) is served in this process and starts once: its start-up builds
every API's apps and checks the flags and --auth against them. With several workers the
flags and --auth are checked here first, over apps built on placeholders.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from gateway.app import GatewayApp
from gateway.cli.common import (
    ApisOption,
    FlagsOption,
    check_auth,
    default,
    fail,
    load_routes,
    load_settings,
    load_snapshot,
    reported,
)
from gateway.exceptions import ApisNotStartedError, SettingError
from gateway.http_protocol import http_protocol
from gateway.lifecycle import prepare_data_dir
from gateway.listener import bind_listener, serve_on
from gateway.loading import load_registry
from gateway.logs import configure_logging
from gateway.metrics import shared_across_workers
from gateway.settings import AdminMode, LogFormat, ServerSettings, setting_error_message

WORKER_HEALTHCHECK_SECONDS = 20
"""How long uvicorn's supervisor waits for a worker to answer its ping before killing it as hung.

uvicorn's 5 s is shorter than a spawned worker takes to import its libraries on a busy 2-core host (seen: 4 of
the suite's workers killed while starting, at load average 6), and a killed worker starts again from nothing."""


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.", show_default=default("host"))] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", show_default=default("port"))] = None,
    flags: FlagsOption = None,
    apis: ApisOption = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where the example APIs keep their SQLite database and files.", show_default=default("data_dir")
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            help="Keep the APIs' state in this database instead: postgresql://USER:PASSWORD@HOST:PORT/DATABASE. "
            "Replicas given the same one share files and batches. Prefer GATEWAY_DATABASE: the process list "
            "shows options.",
            show_default="SQLite under --data-dir",
        ),
    ] = None,
    database_lease: Annotated[
        float | None,
        typer.Option(
            help="Seconds a replica's claim on a running batch lasts unless renewed; once it lapses (the replica "
            "died), another takes the batch over.",
            show_default=default("database_lease"),
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes; each follows the flag file.", show_default=default("workers")),
    ] = None,
    max_body_size: Annotated[
        int | None,
        typer.Option(
            help="Largest request body accepted, in bytes; larger ones get 413.", show_default=default("max_body_size")
        ),
    ] = None,
    max_header_size: Annotated[
        int | None,
        typer.Option(
            help="Largest request head (request line and headers) in bytes, else 431.",
            show_default=default("max_header_size"),
        ),
    ] = None,
    header_timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds a connection has to send a complete request head, else it is closed.",
            show_default=default("header_timeout"),
        ),
    ] = None,
    graceful_timeout: Annotated[
        int | None,
        typer.Option(
            help="Seconds shutdown waits for requests in flight, then ends open streams.",
            show_default=default("graceful_timeout"),
        ),
    ] = None,
    log_format: Annotated[
        LogFormat | None,
        typer.Option(help="json lines, or console for a person.", show_default=default("log_format")),
    ] = None,
    admin: Annotated[
        AdminMode | None,
        typer.Option(help="Serve the read-only /_gateway/* and /metrics endpoints.", show_default=default("admin")),
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
            "or a MODULE:CALLABLE provider.",
            show_default="nothing enforced",
        ),
    ] = None,
    shadow_queue: Annotated[
        int | None,
        typer.Option(
            help="Shadowed requests waiting for comparison per worker; beyond, skipped (queue_full).",
            show_default=default("shadow_queue"),
        ),
    ] = None,
    shadow_timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds the router has to answer a shadowed request, else skipped (timeout).",
            show_default=default("shadow_timeout"),
        ),
    ] = None,
    shadow_max_body_size: Annotated[
        int | None,
        typer.Option(
            help="Largest request or response body of a shadowed request, in bytes; else skipped (body_too_large).",
            show_default=default("shadow_max_body_size"),
        ),
    ] = None,
    shadow_busy_share: Annotated[
        float | None,
        typer.Option(
            help="Most of a busy worker's time shadow comparisons take, 0-1.", show_default=default("shadow_busy_share")
        ),
    ] = None,
    record_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where recorded exchanges are written (flag file `record: F`).",
            show_default="<data-dir>/recordings",
        ),
    ] = None,
    record_max_mb: Annotated[
        int | None,
        typer.Option(help="Size in MB at which a recording file is rotated.", show_default=default("record_max_mb")),
    ] = None,
    record_queue: Annotated[
        int | None,
        typer.Option(
            help="Recorded exchanges waiting for the disk per worker; beyond, dropped and counted "
            "(gateway_record_dropped_total).",
            show_default=default("record_queue"),
        ),
    ] = None,
    record_redact: Annotated[
        list[str] | None,
        typer.Option(
            help="A header stored as <redacted> in recordings (repeatable), besides authorization, cookie and "
            "x-provider-data.",
            show_default=False,
        ),
    ] = None,
    allow_force_header: Annotated[
        bool | None,
        typer.Option(
            help="Let a request pick its side with 'x-gateway-force-backend: legacy|migrated' (for testers).",
            show_default=default("allow_force_header"),
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
        "database": database,
        "database_lease": database_lease,
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
        "shadow_queue": shadow_queue,
        "shadow_timeout": shadow_timeout,
        "shadow_max_body_size": shadow_max_body_size,
        "shadow_busy_share": shadow_busy_share,
        "record_dir": record_dir,
        "record_max_mb": record_max_mb,
        "record_queue": record_queue,
        "record_redact": record_redact or None,
        "allow_force_header": allow_force_header,
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
        configure_logging(settings.log_format)
        app: GatewayApp | None = None
        if settings.workers == 1:
            app = _one_worker_app(settings)
        else:
            _prepare_workers(settings)
        config = uvicorn.Config(
            app or "gateway.app:create_app",
            factory=app is None,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_config=None,
            access_log=False,
            http=http_protocol(settings),
            timeout_graceful_shutdown=settings.graceful_timeout,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
        stack.enter_context(shared_across_workers(settings.workers))
        with reported():
            try:
                serve_on(config, listener)
            except ApisNotStartedError:
                if app is not None and app.start_failure is not None:
                    # A bad flag file or --auth, found by the one start-up: said as any bad input is.
                    raise app.start_failure from None
                raise


def _one_worker_app(settings: ServerSettings) -> GatewayApp:
    """The app of a single worker, served in this process: its own start-up checks the flags and --auth,
    over the apps it builds once."""
    with reported():
        return GatewayApp(load_registry(settings.apis), settings, flags=settings.flags)


def _prepare_workers(settings: ServerSettings) -> None:
    """Check the flags and --auth here, once, so they exit 2 before any of several workers starts an API.

    The routes come from apps built over placeholders; each worker then builds its own, from
    the settings it reads from the environment (`gateway.app:create_app`).
    """
    routes = load_routes(settings)
    load_snapshot(settings, routes)
    check_auth(settings, routes)
    for name, value in settings.model_dump(exclude_none=True).items():
        # pydantic-settings reads a list from the environment as JSON.
        os.environ[f"GATEWAY_{name.upper()}"] = json.dumps(value) if isinstance(value, list) else str(value)
