"""Replaying a catalogue of requests against one side and recording what clients would see.

A catalogue is a YAML list of steps, replayed in order::

    - name: register a model with a slash in its id
      request: {method: POST, path: /v1/models, json: {model_id: team/fast}}
      save: {model: id}                    # remember response fields for later paths
    - name: retrieve it
      request: {method: GET, path: "/v1/models/{model}"}
    - name: wait for the batch
      request: {method: GET, path: "/v1/batches/{batch}"}
      until: {status: [completed, failed]} # poll until a field takes one of these values
      ignore: [request_counts]             # fields whose value depends on timing

`request` takes `method`, `path`, and any of `json`, `content` (raw text), `content_hex`
(raw bytes, e.g. invalid UTF-8), `params`, `headers`, `data` (form fields) and `files`
(`{field: {filename, content, content_type}}`). A string ``"<1048577 * w>"`` stands for
that many repetitions of the text after ``*``, for bodies too large to write out.
"""

from __future__ import annotations

import difflib
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
from ruamel.yaml import YAML

from apis.registry import registry
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.modes import GATEWAY, SIDES, Side
from gateway.registry import ApiRegistry
from gateway.request_log import BACKEND_HEADER
from gateway.routes import RouteIndex
from gateway.settings import ServerSettings
from tests.apis.steps import with_clock

CATALOGUE = Path(__file__).parent / "catalogue"
UNTIL_DEADLINE = 10.0
POLL_INTERVAL = 0.02
# Generated identifiers: compared by the order they first appear in, not by value.
GENERATED_ID = re.compile(r"\b(?:file-|batch_req_|batch_|chatcmpl-)?[0-9a-f]{32}\b")
TIMESTAMP_KEYS = re.compile(r"^(created|.*_at)$")
SAVED_NAME = re.compile(r"\{(\w+)\}")
REPEATED = re.compile(r"<(\d+) \* (.+)>", re.DOTALL)


@dataclass(frozen=True)
class Step:
    name: str
    request: dict[str, Any]
    save: dict[str, str] = field(default_factory=dict)
    until: dict[str, list[Any]] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)


def load_catalogue(path: Path) -> list[Step]:
    entries = YAML(typ="safe").load(path.read_text())
    return [Step(**entry) for entry in entries]


def catalogue_files() -> list[Path]:
    return sorted(CATALOGUE.glob("*.yaml"))


class TickingClock:
    """The clock of the implementations' context: every reading is one second later.

    Creation times then never tie, so lists ordered by (time, random id) come out in the
    same order on both sides.
    """

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@dataclass(frozen=True)
class Served:
    """A client of every example API served from `side`, and the routes to tell which side must answer."""

    client: httpx.AsyncClient
    side: Side
    index: RouteIndex

    def expected_backend(self, request: httpx.Request) -> str:
        """`side` for a route it has; the other side for a route only that one has; the gateway for no route.

        Worked out from the routes alone, not the flags: a gateway whose flags stopped choosing
        the side would answer from the wrong one, and the replay would say so.
        """
        route = self.index.match(request.method, request.url.path).route
        if route is None:
            return GATEWAY
        return self.side if getattr(route, self.side) else next(side for side in SIDES if getattr(route, side))


@asynccontextmanager
async def serve(side: Side, data_dir: Path, apis: ApiRegistry = registry) -> AsyncIterator[Served]:
    """Every API of `apis` (the examples by default) served from `side`, on a fresh data directory and clock."""
    app = GatewayApp(with_clock(apis, TickingClock()), ServerSettings(data_dir=data_dir), flags=FlagFile(default=side))
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://parity") as client:
            yield Served(client, side, RouteIndex(app.runtime.routes))


class Normaliser:
    """Replaces generated ids by `<id N>` (N by first appearance) and timestamps by `<time>`."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def text(self, value: str) -> str:
        return GENERATED_ID.sub(lambda m: self.ids.setdefault(m[0], f"<id {len(self.ids) + 1}>"), value)

    def value(self, value: Any, key: str | None = None, ignore: frozenset[str] = frozenset()) -> Any:
        if key in ignore:
            return "<ignored>"
        if isinstance(value, dict):
            return {k: self.value(v, k, ignore) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, None, ignore) for v in value]
        if isinstance(value, str):
            return self.text(value)
        if key and TIMESTAMP_KEYS.match(key) and isinstance(value, int | float) and not isinstance(value, bool):
            return "<time>"
        return value


def _body(response: httpx.Response, normaliser: Normaliser, ignore: frozenset[str]) -> Any:
    media = response.headers.get("content-type", "").split(";")[0]
    text = response.text
    if not text:
        return None
    if media == "text/event-stream":
        events = [chunk for chunk in text.split("\n\n") if chunk]
        return [
            normaliser.value(json.loads(e.removeprefix("data: ")), None, ignore) if e.startswith("data: ") else e
            for e in events
        ]
    if media == "application/json":
        return normaliser.value(response.json(), None, ignore)
    lines = text.splitlines()
    try:
        return [normaliser.value(json.loads(line), None, ignore) for line in lines]
    except json.JSONDecodeError:
        return normaliser.text(text)


def _substitute(value: Any, saved: dict[str, str]) -> Any:
    if isinstance(value, str):
        if repeated := REPEATED.fullmatch(value):
            return repeated[2] * int(repeated[1])
        return SAVED_NAME.sub(lambda m: saved.get(m[1], m[0]), value)
    if isinstance(value, dict):
        return {k: _substitute(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, saved) for v in value]
    return value


async def _send(served: Served, step: Step, request: dict[str, Any]) -> httpx.Response:
    """Send the request and check which side answered it."""
    kwargs: dict[str, Any] = {key: request[key] for key in ("json", "params", "headers", "data") if key in request}
    if "content" in request:
        kwargs["content"] = request["content"].encode()
    if "content_hex" in request:
        kwargs["content"] = bytes.fromhex(request["content_hex"])
    if "files" in request:
        kwargs["files"] = {
            name: (spec["filename"], spec["content"].encode(), spec.get("content_type", "application/octet-stream"))
            for name, spec in request["files"].items()
        }
    response = await served.client.request(request["method"], request["path"], **kwargs)
    expected = served.expected_backend(response.request)
    answered = response.headers.get(BACKEND_HEADER)
    assert answered == expected, (
        f"step {step.name!r}: answered by {answered}, not {expected}, when serving {served.side}"
    )
    return response


def _field(response: httpx.Response, name: str) -> Any:
    try:
        return response.json().get(name)
    except (json.JSONDecodeError, AttributeError):
        return None


async def replay(served: Served, steps: list[Step]) -> list[dict[str, Any]]:
    """What a client sees for each step: status, media type, the headers clients read, the body.

    Every answer must come from the side being served (see `Served.expected_backend`).
    """
    saved: dict[str, str] = {}
    normaliser = Normaliser()
    seen = []
    for step in steps:
        request = _substitute(step.request, saved)
        response = await _send(served, step, request)
        deadline = time.monotonic() + UNTIL_DEADLINE
        while any(_field(response, k) not in v for k, v in step.until.items()) and time.monotonic() < deadline:
            await anyio.sleep(POLL_INTERVAL)
            response = await _send(served, step, request)
        for name, response_field in step.save.items():
            saved[name] = str(_field(response, response_field))
        seen.append(
            {
                "status": response.status_code,
                "content-type": response.headers.get("content-type"),
                "allow": response.headers.get("allow"),
                "body": _body(response, normaliser, frozenset(step.ignore)),
            }
        )
    return seen


def _difference(name: str, legacy: object, migrated: object) -> str:
    def lines(value: object) -> list[str]:
        return json.dumps(value, indent=2, sort_keys=True).splitlines()

    diff = difflib.unified_diff(lines(legacy), lines(migrated), "legacy", "migrated", lineterm="")
    return f"--- step {name!r}\n" + "\n".join(diff)


async def mismatches(catalogue: Path, tmp_path: Path, apis: ApiRegistry = registry) -> list[str]:
    """Each step of `catalogue` whose answer differs between `apis` served legacy and migrated, as a diff."""
    steps = load_catalogue(catalogue)
    async with serve("legacy", tmp_path / "legacy", apis) as served:
        legacy = await replay(served, steps)
    async with serve("migrated", tmp_path / "migrated", apis) as served:
        migrated = await replay(served, steps)
    return [
        _difference(step.name, seen_legacy, seen_migrated)
        for step, seen_legacy, seen_migrated in zip(steps, legacy, migrated, strict=True)
        if seen_legacy != seen_migrated
    ]
