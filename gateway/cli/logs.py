"""`gateway logs`: the server's JSON lines filtered per route and side, printed readably, then summed up."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.table import Table

from gateway.cli.common import fail
from gateway.colour import wants_colour
from gateway.log_lines import REQUEST_EVENT, LineFilter, LogLine, parse_line, render, status_matcher
from gateway.modes import Backend
from gateway.stats import RouteStats

STDIN = "-"
FOLLOW_POLL_SECONDS = 0.2
"""How often `--follow` looks for lines the server has added to the file."""
PIPE_WIDTH = 200
NO_ROUTE = "-"
"""The route of a request the gateway answered itself (no route matched)."""


def _status_matchers(patterns: list[str] | None) -> tuple[Callable[[int], bool], ...]:
    try:
        return tuple(status_matcher(pattern) for pattern in patterns or ())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--status'") from exc


def _followed(stream: TextIO, poll_seconds: float) -> Iterator[str]:
    """Every line of `stream`, waiting at its end for more (`tail -f`); a half-written line waits for its end."""
    pending = ""
    while True:
        chunk = stream.readline()
        if not chunk:
            time.sleep(poll_seconds)
            continue
        pending += chunk
        if pending.endswith("\n"):
            yield pending
            pending = ""


def _record(stats: RouteStats, line: LogLine) -> None:
    status, duration_ms = line.get("status"), line.get("duration_ms")
    if isinstance(status, int) and isinstance(duration_ms, int | float):
        route = line.get("route") or NO_ROUTE
        stats.record(str(line.get("method")), str(route), str(line.get("backend")), status, duration_ms / 1000)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def summary_table(stats: RouteStats) -> Table:
    """Per route and side: requests, 4xx, 5xx, p50 and p99 (from the same buckets as `/_gateway/status`)."""
    table = Table(title="Requests per route and side")
    for name in ("route", "side"):
        table.add_column(name, no_wrap=True)
    for name in ("requests", "4xx", "5xx", "p50 ms", "p99 ms"):
        table.add_column(name, justify="right")
    for method, route, backend in stats.keys():
        figures = stats.summary(method, route, backend)
        numbers = (figures["requests"], figures["4xx"], figures["5xx"])
        table.add_row(f"{method} {route}", backend, *map(str, numbers), _ms(figures["p50_ms"]), _ms(figures["p99_ms"]))
    return table


def logs(
    file: Annotated[
        str, typer.Argument(help="A file of the server's JSON log lines, or - to read them from a pipe.")
    ] = STDIN,
    api: Annotated[str | None, typer.Option(help="Only this API's lines.")] = None,
    route: Annotated[
        str | None, typer.Option(help="Only this route: 'GET /v1/models', or a template for every method.")
    ] = None,
    backend: Annotated[Backend | None, typer.Option(help="Only the requests this side answered.")] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(help="Only these statuses: 404, or a class such as 5xx; repeat it for several."),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="At the end of FILE, wait for the lines the server adds.")
    ] = False,
) -> None:
    """Print the server's log lines readably, filtered, and on exit (end of input or Ctrl-C) a summary.

    The summary counts the requests, 4xx and 5xx and gives p50 and p99 per route and side:
    `gateway serve | gateway logs --api models`, or `kubectl logs -f POD | gateway logs --status 5xx`.
    Flag changes and warnings are always shown. Colour only on a terminal, and not with NO_COLOR set.
    """
    line_filter = LineFilter(api=api, route=route, backend=backend, statuses=_status_matchers(status))
    if file == STDIN and sys.stdin.isatty():
        raise fail("give a FILE, or pipe the server's output in (gateway serve | gateway logs)")
    terminal = sys.stdout.isatty()
    console = Console(
        highlight=False,
        soft_wrap=True,
        color_system="auto" if wants_colour(sys.stdout) else None,
        # A pipe or file has no width: the summary table is not squeezed into 80 columns there.
        width=None if terminal else PIPE_WIDTH,
    )
    stats, skipped = RouteStats(), 0
    try:
        with sys.stdin if file == STDIN else Path(file).open(encoding="utf-8", errors="replace") as stream:
            for text in _followed(stream, FOLLOW_POLL_SECONDS) if follow and file != STDIN else stream:
                line = parse_line(text)
                if line is None:
                    skipped += text.strip() != ""
                elif line_filter.keeps(line):
                    console.print(render(line))
                    if line.get("event") == REQUEST_EVENT:
                        _record(stats, line)
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from exc
    except KeyboardInterrupt:
        # Ctrl-C is how a followed file ends: the summary is what the operator waited for.
        pass
    console.print()
    if stats.keys():
        console.print(summary_table(stats))
    else:
        console.print("No request line matched.")
    if skipped:
        console.print(f"{skipped} lines that are not JSON objects were skipped.", style="dim")
