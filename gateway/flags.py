"""The flag file: which side serves each API and route.

    default: legacy            # mode for every API not listed
    apis:
      models: migrated
      batches:
        mode: migrated
        routes:                # per-route override: "METHOD <path template>"
          "POST /v1/batches/{batch_id}/cancel": legacy

`parse_flags` turns the file's text (read by `gateway.flags_file`) into a validated,
frozen `FlagFile`; `FlagsSnapshot` resolves it once against the served routes, so a
request needs one dict lookup.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.exceptions import FlagsError, did_you_mean
from gateway.flags_file import load_flags_yaml
from gateway.modes import MODES, ROUTER_MODES, Mode, Side
from gateway.partial_migration import LegacyOnlyRoute, legacy_only_routes
from gateway.routes import GatewayRoute, apis_with_router

Reason = Literal["route", "api", "default"]


class ApiFlags(BaseModel):
    """An API's entry in long form: its mode and per-route overrides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode | None = Field(default=None, description="The API's mode; the file's default when left out.")
    routes: dict[str, Mode] = Field(default_factory=dict, description='Overrides keyed "METHOD <template>".')


class FlagFile(BaseModel):
    """The whole flag file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: Mode = Field(default="legacy", description="The mode of every API not listed.")
    apis: dict[str, Mode | ApiFlags] = Field(default_factory=dict, description="Modes by API name.")

    def api_flags(self, api: str) -> ApiFlags:
        entry = self.apis.get(api)
        return entry if isinstance(entry, ApiFlags) else ApiFlags(mode=entry)


# Where pydantic names the member of `Mode | ApiFlags` it tried, in ("apis", API, member, ...).
_API_ENTRY_MEMBER = 2


def _key_path(loc: tuple[Any, ...]) -> str:
    # The person wrote an API entry, not a member of its union type: that part of the location goes.
    if loc[:1] == ("apis",) and len(loc) > _API_ENTRY_MEMBER:
        loc = (*loc[:_API_ENTRY_MEMBER], *loc[_API_ENTRY_MEMBER + 1 :])
    return ".".join(str(part) for part in loc)


def _structure_error(path: Path, exc: ValidationError) -> FlagsError:
    # An API entry is a mode or a mapping; report the error of the form the person wrote.
    errors = [
        e
        for e in exc.errors()
        if not (e["type"] == "literal_error" and not isinstance(e.get("input"), str))
        and not (e["type"] == "model_type" and isinstance(e.get("input"), str))
    ] or exc.errors()
    error = errors[0]
    key = _key_path(error["loc"])
    value = error.get("input")
    if error["type"] == "literal_error":
        return FlagsError(
            path, key, f"unknown mode {value!r}{did_you_mean(str(value), MODES)}; modes: {', '.join(MODES)}"
        )
    if error["type"] == "extra_forbidden":
        last = str(error["loc"][-1])
        allowed = ("default", "apis") if len(error["loc"]) == 1 else ("mode", "routes")
        return FlagsError(
            path, key, f"unknown key {last!r}{did_you_mean(last, allowed)}; allowed: {', '.join(allowed)}"
        )
    return FlagsError(path, key, error["msg"])


def parse_flags(text: str, path: Path) -> FlagFile:
    """Parse and structurally validate the flag file's text (an empty file is an error)."""
    data = load_flags_yaml(text, path)
    if data is None:
        # A save caught half-way must never flip every API to the default.
        raise FlagsError(path, None, "the file is empty; it needs at least `default: legacy`")
    if not isinstance(data, dict):
        raise FlagsError(path, None, f"the file must be a mapping with `default` and `apis`, not {type(data).__name__}")
    try:
        return FlagFile.model_validate(data)
    except ValidationError as exc:
        raise _structure_error(path, exc) from exc


def check_against_routes(flags: FlagFile, path: Path, routes: Iterable[GatewayRoute]) -> None:
    """Refuse unknown APIs, unknown route keys and `migrated` where no router serves."""
    routes = tuple(routes)
    with_router = apis_with_router(routes)
    by_api: dict[str, dict[str, GatewayRoute]] = {}
    for route in routes:
        by_api.setdefault(route.api, {})[route.key] = route
    for api, entry in flags.apis.items():
        if api not in by_api:
            raise FlagsError(
                path, f"apis.{api}", f"unknown API {api!r}{did_you_mean(api, by_api)}; APIs: {', '.join(by_api)}"
            )
        api_flags = flags.api_flags(api)
        if api_flags.mode in ROUTER_MODES and api not in with_router:
            key = f"apis.{api}" if not isinstance(entry, ApiFlags) else f"apis.{api}.mode"
            raise FlagsError(path, key, f"API {api!r} has no router yet; its only valid mode is legacy")
        for route_key, mode in api_flags.routes.items():
            known = by_api[api].get(route_key)
            if known is None:
                raise FlagsError(
                    path,
                    f"apis.{api}.routes.{route_key}",
                    f"unknown route {route_key!r} of API {api!r}{did_you_mean(route_key, by_api[api])}",
                )
            if mode in ROUTER_MODES and not known.migrated:
                raise FlagsError(path, f"apis.{api}.routes.{route_key}", f"route {route_key!r} has no migrated side")


@dataclass(frozen=True)
class Decision:
    """The side that serves a route, and which flag chose it."""

    backend: Side
    reason: Reason


@dataclass(frozen=True)
class FlagsSnapshot:
    """Flags resolved against the served routes; replaced whole, never changed."""

    flags: FlagFile
    path: str
    sha256: str
    loaded_at: datetime
    decisions: Mapping[str, Decision]
    """By route key."""
    api_backends: Mapping[str, Side]
    """Each API's own backend (its mode, or the default), as far as it has a router."""
    with_router: frozenset[str]
    """The APIs that have a router."""
    partial: Mapping[str, tuple[LegacyOnlyRoute, ...]]
    """By API in a mode that needs its router, the routes that stay legacy for want of a migrated twin."""
    routes: tuple[GatewayRoute, ...] = field(repr=False)


def _capped(mode: Side, available: bool) -> Side:
    return mode if available else "legacy"


def text_sha256(text: str) -> str:
    """The flag file's identity in logs and status."""
    return hashlib.sha256(text.encode()).hexdigest()


def resolve(flags: FlagFile, path: str, text: str, routes: Iterable[GatewayRoute]) -> FlagsSnapshot:
    """Decide the backend of every route, once, for this version of the flags."""
    routes = tuple(routes)
    with_router = apis_with_router(routes)
    decisions: dict[str, Decision] = {}
    api_backends: dict[str, Side] = {}
    by_api = {api: flags.api_flags(api) for api in {route.api for route in routes}}
    partial = {
        api: found
        for api, found in legacy_only_routes(routes).items()
        if (by_api[api].mode or flags.default) in ROUTER_MODES
    }
    for route in routes:
        api_flags = by_api[route.api]
        api_mode: Side = api_flags.mode or flags.default
        api_reason: Reason = "api" if api_flags.mode else "default"
        api_backends[route.api] = _capped(api_mode, route.api in with_router)
        override = api_flags.routes.get(route.key)
        decision = Decision(override, "route") if override else Decision(api_mode, api_reason)
        decisions[route.key] = Decision(_capped(decision.backend, route.migrated), decision.reason)
    return FlagsSnapshot(
        flags=flags,
        path=path,
        sha256=text_sha256(text),
        loaded_at=datetime.now(UTC),
        decisions=decisions,
        api_backends=api_backends,
        with_router=with_router,
        partial=partial,
        routes=routes,
    )


def changes(old: FlagsSnapshot, new: FlagsSnapshot) -> list[dict[str, str | None]]:
    """One entry per API or route whose backend in force changed.

    A route that simply follows its API is covered by the API's entry; a route gets its
    own entry when it differs from its API before or after the change.
    """
    entries: list[dict[str, str | None]] = []
    for api, new_backend in new.api_backends.items():
        old_backend = old.api_backends.get(api, new_backend)
        if old_backend != new_backend:
            entries.append({"api": api, "route": None, "old": old_backend, "new": new_backend})
    for route in new.routes:
        before, after = old.decisions.get(route.key), new.decisions[route.key]
        if before is None or before.backend == after.backend:
            continue
        follows_api = before.backend == old.api_backends[route.api] and after.backend == new.api_backends[route.api]
        if not follows_api:
            entries.append({"api": route.api, "route": route.key, "old": before.backend, "new": after.backend})
    return entries
