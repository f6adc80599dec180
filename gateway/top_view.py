"""The rollout page's view for a terminal: rich renderables built from one `/_gateway/status` answer.

`gateway top` redraws them; they read the answer only, so they show any server the command reaches.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gateway.rollout_figures import match_rate, sides as status_sides, traffic

BAR_WIDTH = 30
_SIDE_STYLES = ("yellow", "blue")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def flags_panel(status: dict[str, Any]) -> Table:
    """The flag file in force, the last rejection, the default mode and how many workers the counts cover."""
    flags = status["flags"]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    rejection = f"{flags['rejected_at']}: {flags['error']}" if flags["error"] else "none"
    for label, value in (
        ("Flag file", flags["path"]),
        ("sha256", (flags["sha256"] or "-")[:12]),
        ("Loaded at", flags["loaded_at"] or "-"),
        ("Last rejection", Text(rejection, style="bold red" if flags["error"] else "")),
        ("Default", status["default"]),
        ("Workers", str(status["workers"])),
    ):
        table.add_row(label, value)
    return table


def traffic_bar(routes: dict[str, Any], sides: list[str]) -> Text:
    """One line: a bar of each side's share of the API's requests, then the shares in words."""
    shares = traffic(routes, sides)
    bar = Text()
    if not shares.total:
        return bar.append("·" * BAR_WIDTH, style="dim").append(" no requests yet")
    for share, style in zip(shares.shares, _SIDE_STYLES, strict=False):
        bar.append("█" * round(BAR_WIDTH * share.percent / 100), style=style)
    return bar.append(f" {shares.words}")


def _shadow(shadow: dict[str, Any] | None) -> Text:
    if shadow is None:
        return Text("-")
    rate = match_rate(shadow)
    if rate is None:
        return Text(f"0 compared, {shadow['skipped']} skipped")
    text = Text(f"{rate:.1f}% ({shadow['matched']}/{shadow['compared']})", style="red" if shadow["mismatched"] else "")
    last = shadow["last_mismatch"]
    if last and last.get("diff"):
        text.append(f"\nlast: {last['diff']}", style="dim")
    return text


def _canary(canary: dict[str, Any] | None) -> Text:
    if canary is None:
        return Text("-")
    text = Text(f"{canary['percent']}%" + (f" {canary['sticky']}" if canary["sticky"] else ""))
    rolled = canary["rolled_back"]
    return text.append(f" rolled back ({rolled['rule']})", style="bold red") if rolled else text


def route_table(name: str, api: dict[str, Any], sides: list[str]) -> Table:
    """Per route a row per side (the side in force marked ●) with its figures, then shadow's and canary's state.

    A row per side rather than a column group per side: the table fits an 80-column terminal.
    Shadow and canary columns appear only for an API with a route in that mode.
    """
    routes = api["routes"]
    extras = [column for column in ("shadow", "canary") if any(column in route for route in routes.values())]
    table = Table(
        title=f"{name}  mode {api['mode']}",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("route", overflow="fold", ratio=2)
    table.add_column("side", no_wrap=True)
    for figure in ("req", "4xx", "5xx", "p50ms", "p99ms"):
        table.add_column(figure, justify="right", no_wrap=True)
    for column in extras:
        table.add_column(column, ratio=1, min_width=12)
    render = {"shadow": _shadow, "canary": _canary}
    for key, route in routes.items():
        in_force = route["backend"]
        for index, side in enumerate(sides):
            stats = route["stats"][side]
            marked = side == in_force or (in_force == "canary" and stats["requests"])
            figures = (str(stats["requests"]), str(stats["4xx"]), str(stats["5xx"]))
            table.add_row(
                key if index == 0 else "",
                Text(f"● {side}" if side == in_force else f"  {side}", style="bold" if marked else "dim"),
                *figures,
                _ms(stats["p50_ms"]),
                _ms(stats["p99_ms"]),
                *(render[column](route.get(column)) if index == 0 else "" for column in extras),
                end_section=index == len(sides) - 1,
            )
    return table


def view(status: dict[str, Any]) -> RenderableType:
    """The whole view: the flag file, then per API its traffic bar and its routes."""
    sides = status_sides(status)
    parts: list[RenderableType] = [flags_panel(status)]
    for name, api in status["apis"].items():
        parts += [Text(""), route_table(name, api, sides), traffic_bar(api["routes"], sides)]
    return Group(*parts)
