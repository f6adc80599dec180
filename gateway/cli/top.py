"""`gateway top`: the rollout page's view in a terminal, redrawn from a running server's `/_gateway/status`."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.text import Text

from gateway.cli.common import fail
from gateway.top_view import view

DEFAULT_URL = "http://127.0.0.1:8321"
STATUS_PATH = "/_gateway/status"


def _read(client: httpx.Client) -> RenderableType:
    """The view of the server's status now, or why there is none (the next refresh tries again)."""
    try:
        response = client.get(STATUS_PATH)
        response.raise_for_status()
        status: dict[str, Any] = response.json()
    except httpx.HTTPStatusError as exc:
        return Text(f"{client.base_url}{STATUS_PATH} answered {exc.response.status_code}; retrying", style="bold red")
    except (httpx.HTTPError, ValueError) as exc:
        return Text(f"cannot read {client.base_url}{STATUS_PATH}: {exc}; retrying", style="bold red")
    stamp = Text(f"{client.base_url}  updated {datetime.now():%H:%M:%S}", style="dim")
    return Group(stamp, view(status))


def top(
    url: Annotated[str, typer.Option(help="The running gateway's base URL (its admin port, if it has one).")] = (
        DEFAULT_URL
    ),
    admin_token: Annotated[
        str | None,
        typer.Option(envvar="GATEWAY_ADMIN_TOKEN", help="The server's --admin-token; prefer GATEWAY_ADMIN_TOKEN."),
    ] = None,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between refreshes.")] = 1.0,
) -> None:
    """Watch a rollout in the terminal: flag file, per API its traffic share, per route both sides' figures.

    The same view as /_gateway/ui, refreshed every INTERVAL seconds until Ctrl-C.
    """
    if not url.startswith(("http://", "https://")):
        raise fail(f"--url must be an http:// or https:// URL, got {url!r}")
    headers = {"authorization": f"Bearer {admin_token}"} if admin_token else {}
    with httpx.Client(base_url=url, headers=headers, timeout=max(interval, 2.0)) as client:
        try:
            with Live(_read(client), console=Console(), auto_refresh=False, screen=False) as live:
                while True:
                    time.sleep(interval)
                    live.update(_read(client), refresh=True)
        except KeyboardInterrupt:
            # Ctrl-C is how `top` ends.
            pass
