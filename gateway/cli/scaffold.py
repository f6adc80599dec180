"""`gateway scaffold API`: write an API's router from its legacy protocol, ready to prove and flip."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gateway.cli.common import ApisOption, load_settings, reported
from gateway.loading import load_registry
from gateway.offline import placeholder_apis


def scaffold(
    api: Annotated[str, typer.Argument(help="The API to write a router for, as registered.")],
    apis: ApisOption = None,
    out: Annotated[
        Path | None,
        typer.Option(help="The package directory to write into.", show_default="the package of the API's protocol"),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Overwrite service.py, routes.py and request models already there.")
    ] = False,
) -> None:
    """Write service.py, models.py (request models) and routes.py for API from its legacy protocol.

    The router answers as the legacy routes do (paths, served methods, 204s, streams, errors,
    deprecations, who may call it, documentation); nothing is overwritten without --force.
    """
    # libcst, which scaffolding writes code with, is a tenth of a second to import: the other commands skip it.
    from gateway.scaffold import scaffold_files, served_routes, shown

    with reported():
        settings = load_settings(apis=apis)
        registry = load_registry(settings.apis)
        registration = registry[api]
        legacy = next(served.legacy for served in placeholder_apis(registry, settings) if served.name == api)
        routes = served_routes(api, legacy)
        written = scaffold_files(api, routes, out, force=force, has_router=registration.migrated is not None)
    typer.echo(f"scaffolded {api} from {routes[0].protocol} ({len(routes)} routes):")
    for item in written:
        typer.echo(f"  wrote {shown(item.path)}  {item.what}")
    if not any(item.path.name == "models.py" for item in written):
        typer.echo("  models.py: no request models to add (no route reads named fields of a JSON body)")
    package = shown(written[-1].path.parent)
    typer.echo(
        "next steps:\n"
        f"  1. register the router: migrated= a factory serving create_router() from {package}/routes.py\n"
        f"  2. gateway diff {api}                    the documents agree (0 ERR)\n"
        f"  3. gateway verify RECORDINGS --api {api}  recorded legacy traffic answers the same\n"
        f"  4. gateway flags set {api} shadow         then canary, then migrated"
    )
