"""The `gateway` command line: `main` is the console script, `app` the typer application.

One module per command or command group: `serve`, `routes`, `openapi`, `flags`, `diff`, `logs`,
`top`, `init`, `verify`, `scaffold`; `common` holds what they share (options, settings, loading
routes and flags, exit status 2).
"""

from gateway.cli.commands import app, main

__all__ = ["app", "main"]
