"""`gateway routes`: the route table, without starting the server."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from gateway.admin import route_table
from gateway.cli.common import ApisOption, FlagsOption, load_routes, load_settings, load_snapshot


def routes(flags: FlagsOption = None, apis: ApisOption = None) -> None:
    """List every route: its API, which sides implement it, the backend the flags choose, and who may call it."""
    settings = load_settings(flags=flags, apis=apis)
    snapshot = load_snapshot(settings, load_routes(settings))
    rows = [
        {**row, "legacy auth": route.legacy_auth or "-", "migrated auth": route.migrated_auth or "-"}
        for route, row in zip(snapshot.routes, route_table(snapshot.routes, snapshot), strict=True)
    ]
    table = Table(*rows[0])
    for row in rows:
        table.add_row(*(("yes" if v else "no") if isinstance(v, bool) else str(v) for v in row.values()))
    Console(width=200).print(table)
