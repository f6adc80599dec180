"""The `gateway` command, assembled from one module per command or command group."""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.__about__ import __version__
from gateway.cli.diff import diff
from gateway.cli.flags import flags_app
from gateway.cli.init import init
from gateway.cli.logs import logs
from gateway.cli.openapi import openapi
from gateway.cli.routes import routes
from gateway.cli.scaffold import scaffold
from gateway.cli.serve import serve
from gateway.cli.top import top
from gateway.cli.verify import verify_command

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


app.command()(serve)
app.command()(routes)
app.command()(openapi)
app.add_typer(flags_app, name="flags")
app.command()(diff)
app.command()(logs)
app.command()(top)
app.command()(init)
app.command("verify")(verify_command)
app.command()(scaffold)


def main() -> None:
    app()
