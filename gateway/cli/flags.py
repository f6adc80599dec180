"""`gateway flags`: show, change and check the flag file from a terminal.

A change is checked twice before the file is replaced: what the command line names, as
a one-entry flag file (so a typo gets the message a file with that typo would), and then
the whole edited file, as the server will read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from gateway.cli.common import (
    ApisOption,
    FlagsOption,
    default,
    fail,
    load_documents,
    load_routes,
    load_settings,
    load_snapshot,
    reported,
)
from gateway.contract import counts, diff_apis
from gateway.exceptions import FlagsError
from gateway.flags import FlagFile, FlagsSnapshot, check_against_routes, describe_mode, parse_flags
from gateway.flags_editor import FlagDocument
from gateway.modes import ANSWERING_SIDE, MODES, ROUTER_MODES
from gateway.routes import GatewayRoute
from gateway.settings import ServerSettings

flags_app = typer.Typer(
    help="Show, change and check the flag file; a running gateway follows it within a second.",
    no_args_is_help=True,
)

ApiArgument = Annotated[str, typer.Argument(help="An API, as registered (see `gateway flags show`).")]
RouteOption = Annotated[
    str | None,
    typer.Option("--route", help='One route of the API, as "METHOD /template" (see `gateway routes`).'),
]


def _routes(flags: Path | None, apis: str | None) -> tuple[Path, tuple[GatewayRoute, ...]]:
    settings = load_settings(flags=flags, apis=apis)
    return settings.flags, load_routes(settings)


def _check_request(path: Path, routes: tuple[GatewayRoute, ...], api: str, route: str | None, mode: str) -> None:
    """Refuse an unknown API, route or mode, or `migrated` where nothing is migrated, before any edit."""
    entry: str | dict[str, dict[str, str]] = {"routes": {route: mode}} if route else mode
    try:
        # JSON is YAML: the request is checked exactly as a file saying it would be.
        check_against_routes(parse_flags(json.dumps({"apis": {api: entry}}), path), path, routes)
    except FlagsError as exc:
        raise fail(exc.problem) from exc


def _target(api: str, route: str | None) -> str:
    return f'{api} "{route}"' if route else api


def _describe(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, Mapping):
        overrides = len(value.get("routes") or {})
        return f"{value.get('mode') or 'no mode'} and {overrides} route override{'s' if overrides != 1 else ''}"
    return str(value)


def _follows(flags: FlagFile, api: str, route: str | None) -> str:
    if route:
        return f"not set (follows {api}: {flags.api_flags(api).mode or flags.default})"
    return f"not listed (follows default: {flags.default})"


def _warn_partial_migrations(snapshot: FlagsSnapshot) -> None:
    """One warning line on stderr per route that the flags leave on legacy for want of a migrated twin."""
    for api, routes in snapshot.partial.items():
        for route in routes:
            typer.secho(f"warning: {route.describe(api)}", err=True, fg=typer.colors.YELLOW)


def _warn_contract_errors(settings: ServerSettings, snapshot: FlagsSnapshot) -> None:
    """One warning line per API the flags serve from its router while `gateway diff` finds errors in it."""
    routed = [api for api, mode in snapshot.api_backends.items() if ANSWERING_SIDE[mode] == "migrated"]
    if not routed:
        # Documents need the APIs started: not for a file that serves everything from legacy.
        return
    for report in diff_apis(load_documents(settings), routed):
        errors = counts(report.findings)["err"]
        if errors:
            typer.secho(
                f"warning: {report.api}: served from its router with {errors} contract "
                f"error{'s' if errors != 1 else ''} a legacy client would see; run `gateway diff {report.api}`",
                err=True,
                fg=typer.colors.YELLOW,
            )


@flags_app.command()
def show(flags: FlagsOption = None, apis: ApisOption = None) -> None:
    """Show each API's mode now in force, its route overrides, and why where it is not what the file asks."""
    settings = load_settings(flags=flags, apis=apis)
    snapshot = load_snapshot(settings)
    table = Table("API", "mode", "overrides", "router", "note")
    # Registration order, as the routes come.
    for api in snapshot.api_backends:
        api_flags = snapshot.flags.api_flags(api)
        has_router = api in snapshot.with_router
        notes = [] if api in snapshot.flags.apis else ["from default"]
        if not has_router and (api_flags.mode or snapshot.flags.default) in ROUTER_MODES:
            notes.append("no router yet: stays legacy")
        legacy_only = len(snapshot.partial.get(api, ()))
        if legacy_only:
            notes.append(f"{legacy_only} route{'s' if legacy_only != 1 else ''} without a migrated twin: legacy")
        overrides = [f"{key} → {snapshot.decisions[key].describe()}" for key in api_flags.routes]
        table.add_row(
            api,
            describe_mode(snapshot.api_backends[api], api_flags.sample, api_flags.canary("")),
            "\n".join(overrides) or "-",
            "yes" if has_router else "no",
            "; ".join(notes),
        )
    console = Console(width=200)
    console.print(f"flags: {snapshot.path} (sha256 {snapshot.sha256[:12]})   default: {snapshot.flags.default}")
    console.print(table)
    _warn_partial_migrations(snapshot)


@flags_app.command("set")
def set_(
    api: ApiArgument,
    mode: Annotated[str, typer.Argument(help=f"One of: {', '.join(MODES)}.")],
    route: RouteOption = None,
    flags: FlagsOption = None,
    apis: ApisOption = None,
) -> None:
    """Set an API's mode, or with --route one route's, keeping the file's comments and order.

    gateway flags set models legacy
    gateway flags set batches --route "POST /v1/batches/{batch_id}/cancel" legacy
    """
    path, routes = _routes(flags, apis)
    _check_request(path, routes, api, route, mode)
    with reported():
        document = FlagDocument(path)
        old = document.set_route_mode(api, route, mode) if route else document.set_mode(api, mode)
        if old == mode:
            typer.echo(f"{path}: {_target(api, route)}: already {mode}; file unchanged")
            return
        document.save(routes)
    typer.echo(f"{path}: {_target(api, route)}: {_describe(old)} → {mode}")


@flags_app.command()
def unset(api: ApiArgument, route: RouteOption = None, flags: FlagsOption = None, apis: ApisOption = None) -> None:
    """Remove an API's entry, so it follows the default; or with --route one route's override.

    gateway flags unset files
    gateway flags unset batches --route "POST /v1/batches/{batch_id}/cancel"
    """
    path, routes = _routes(flags, apis)
    # Any mode will do: only the names are in question, and legacy is valid everywhere.
    _check_request(path, routes, api, route, "legacy")
    with reported():
        document = FlagDocument(path)
        old = document.unset_route(api, route) if route else document.unset(api)
        result = document.save(routes)
    typer.echo(f"{path}: {_target(api, route)}: {_describe(old)} → {_follows(result, api, route)}")


@flags_app.command()
def check(
    path: Annotated[
        Path | None,
        typer.Argument(help="The file to check.", show_default=f"--flags, GATEWAY_FLAGS or {default('flags')}"),
    ] = None,
    flags: FlagsOption = None,
    apis: ApisOption = None,
) -> None:
    """Validate a flag file against the registered routes, as a running gateway would before using it.

    Routes the file leaves on legacy for want of a migrated twin, and APIs it serves from a
    router whose contract differs from legacy's (`gateway diff` ERR findings), are warnings:
    the file is valid.
    """
    settings = load_settings(flags=path or flags, apis=apis)
    snapshot = load_snapshot(settings)
    _warn_partial_migrations(snapshot)
    _warn_contract_errors(settings, snapshot)
    listed = len(snapshot.flags.apis)
    typer.echo(
        f"ok: {settings.flags} ({listed} API{'s' if listed != 1 else ''} listed, default: {snapshot.flags.default})"
    )
