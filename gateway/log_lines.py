"""The server's JSON log lines read back for a person: which ones a filter keeps, and how each reads.

`gateway logs` is built on this. A line is one JSON object as `gateway.logs` writes it; the
`request` lines (SPEC 7) are the ones filtered and summed, the lines written during a request
(they carry its `api`, `route` and `backend`) are filtered alike, and the flag events and
warnings are always shown, since they explain what the request lines then do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text

LogLine = Mapping[str, Any]

REQUEST_EVENT = "request"
_ALWAYS_SHOWN_EVENTS = frozenset({"flags_loaded", "flags_changed", "flags_rejected"})
_ALWAYS_SHOWN_LEVELS = frozenset({"warning", "error", "critical"})
_STATUS_PATTERN = re.compile(r"(?P<code>[1-5]\d\d)|(?P<status_class>[1-5])xx", re.IGNORECASE)
_STATUS_STYLES = {1: "cyan", 2: "green", 3: "cyan", 4: "yellow", 5: "bold red"}
_BACKEND_STYLES = {"legacy": "magenta", "migrated": "blue", "gateway": "dim"}
_LEVEL_STYLES = {"warning": "yellow", "error": "bold red", "critical": "bold red"}
# What the start of every line already says, or what a person need not read again.
_NOT_REPEATED = frozenset({"event", "level", "timestamp"})


def status_matcher(pattern: str) -> Callable[[int], bool]:
    """`404` matches that status alone, `5xx` any status from 500 to 599; anything else is a ValueError."""
    found = _STATUS_PATTERN.fullmatch(pattern.strip())
    if found is None:
        raise ValueError(f"a status such as 404 or a class such as 5xx, not {pattern!r}")
    if found["code"]:
        code = int(found["code"])
        return lambda status: status == code
    status_class = int(found["status_class"])
    return lambda status: status // 100 == status_class


def parse_line(text: str) -> LogLine | None:
    """The JSON object on `text`, else None (a line some other program wrote, or half of one)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def route_key(line: LogLine) -> str | None:
    """The route as the status endpoint names it (`GET /v1/models`), None where no route matched."""
    route = line.get("route")
    return f"{line.get('method')} {route}" if route else None


@dataclass(frozen=True)
class LineFilter:
    """Which lines `gateway logs` keeps; a field left None keeps every value.

    ::

        LineFilter(api="models", statuses=(status_matcher("5xx"),)).keeps(line)
    """

    api: str | None = None
    route: str | None = None
    """A route key (`GET /v1/models`) or a template (`/v1/models`, any method)."""
    backend: str | None = None
    statuses: tuple[Callable[[int], bool], ...] = ()

    def keeps(self, line: LogLine) -> bool:
        if "request_id" not in line:
            # Not about one request: the flag events and warnings say what the requests then do.
            return line.get("event") in _ALWAYS_SHOWN_EVENTS or line.get("level") in _ALWAYS_SHOWN_LEVELS
        if self.api is not None and line.get("api") != self.api:
            return False
        if self.route is not None and self.route not in (line.get("route"), route_key(line)):
            return False
        if self.backend is not None and line.get("backend") != self.backend:
            return False
        if self.statuses:
            status = line.get("status")
            return isinstance(status, int) and any(matches(status) for matches in self.statuses)
        return True


def _clock(line: LogLine) -> str:
    # `2026-12-01T23:57:45.360325Z` -> `23:57:45.360`: the date is the same all day long.
    timestamp = str(line.get("timestamp", ""))
    return timestamp[11:23] if len(timestamp) >= 23 else timestamp


def render(line: LogLine) -> Text:
    """One line as a person reads it; styles say status class, backend and level (shown only on a terminal)."""
    text = Text(_clock(line), style="dim")
    if line.get("event") == REQUEST_EVENT:
        status, backend = line.get("status"), str(line.get("backend"))
        status_style = _STATUS_STYLES.get(status // 100, "") if isinstance(status, int) else ""
        text.append(f" {status}", style=status_style)
        text.append(f" {backend:<8}", style=_BACKEND_STYLES.get(backend, ""))
        text.append(f" {line.get('method')} {line.get('path')}")
        text.append(f"  {line.get('duration_ms')} ms")
        if line.get("api"):
            text.append(f"  {line['api']} {line.get('route')}", style="dim")
        if line.get("disconnected"):
            text.append("  client left", style="yellow")
        text.append(f"  {line.get('request_id')}", style="dim")
        return text
    level = str(line.get("level", ""))
    text.append(f" {level:<7} ", style=_LEVEL_STYLES.get(level, "dim"))
    text.append(str(line.get("event")), style="bold")
    for name, value in line.items():
        if name not in _NOT_REPEATED:
            text.append(f"  {name}=")
            text.append(value if isinstance(value, str) else json.dumps(value))
    return text
