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

import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gateway.exceptions import FlagsError, did_you_mean
from gateway.flags_file import load_flags_yaml
from gateway.modes import ANSWERING_SIDE, MODES, ROUTER_MODES, Mode, Side
from gateway.partial_migration import LegacyOnlyRoute, legacy_only_routes
from gateway.rollout.canary_flags import Canary, Percent, RollbackFlags, Sticky
from gateway.routes import GatewayRoute, apis_with_router

Reason = Literal["route", "api", "default"]


SAMPLE_DESCRIPTION = "Share of requests shadowed, 0 to 1 (mode shadow; default 1.0)."
RECORD_DESCRIPTION = "Share of the exchanges legacy serves written to the recordings, 0 to 1 (modes legacy, shadow)."
RECORDING_MODES: frozenset[Mode] = frozenset({"legacy", "shadow"})
"""The modes in which legacy answers, so there is an exchange to record."""
MODE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "legacy": ("record",),
    "shadow": ("sample", "record"),
    "canary": ("percent", "sticky", "rollback"),
}
"""The fields an entry in long form may carry besides `mode`, by mode."""


# A route's canary would need its own split and rules; the API's entry carries them.
_ROUTE_CANARY = "a route override cannot be canary; put the API in mode canary"


def _sample_needs_shadow(mode: Mode | None, sample: float | None) -> None:
    if sample is not None and mode is not None and mode != "shadow":
        raise ValueError(f"`sample` is a field of mode shadow, not of mode {mode}")


class RouteFlags(BaseModel):
    """A route override in long form: its mode and that mode's fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode = Field(description="The route's mode.")
    sample: float | None = Field(default=None, ge=0, le=1, description=SAMPLE_DESCRIPTION)

    @model_validator(mode="after")
    def _fields_of_its_mode(self) -> RouteFlags:
        _sample_needs_shadow(self.mode, self.sample)
        if self.mode == "canary":
            raise ValueError(_ROUTE_CANARY)
        return self


class ApiFlags(BaseModel):
    """An API's entry in long form: its mode, that mode's fields and per-route overrides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode | None = Field(default=None, description="The API's mode; the file's default when left out.")
    sample: float | None = Field(default=None, ge=0, le=1, description=SAMPLE_DESCRIPTION)
    percent: Percent | None = Field(default=None, description="Mode canary: share served by the router, 0-100.")
    sticky: Sticky = Field(default="none", description="Mode canary: header:NAME | client | none.")
    rollback: RollbackFlags | None = Field(default=None, description="Mode canary: when the router is rolled back.")
    record: float | None = Field(default=None, ge=0, le=1, description=RECORD_DESCRIPTION)
    routes: dict[str, Mode | RouteFlags] = Field(
        default_factory=dict, description='Overrides keyed "METHOD <template>": a mode, or `mode` and its fields.'
    )

    @model_validator(mode="after")
    def _fields_of_its_mode(self) -> ApiFlags:
        _sample_needs_shadow(self.mode, self.sample)
        if self.record is not None and self.mode is not None and self.mode not in RECORDING_MODES:
            raise ValueError(f"`record` is a field of modes legacy and shadow, not of mode {self.mode}")
        given = [name for name in MODE_FIELDS["canary"] if name in self.model_fields_set]
        if self.mode == "canary" and self.percent is None:
            raise ValueError("mode canary needs `percent`, the share served by the router (0-100)")
        if self.mode != "canary" and given:
            raise ValueError(f"`{given[0]}` is a field of mode canary, not of mode {self.mode or 'default'}")
        if "canary" in self.routes.values():
            raise ValueError(_ROUTE_CANARY)
        return self

    def canary(self, entry: str) -> Canary | None:
        if self.mode != "canary" or self.percent is None:
            return None
        return Canary(self.percent, self.sticky, self.rollback, entry)

    def route_flags(self, key: str) -> RouteFlags | None:
        entry = self.routes.get(key)
        return _route_entry_of_mode(entry) if isinstance(entry, str) else entry


class FlagFile(BaseModel):
    """The whole flag file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: Mode = Field(default="legacy", description="The mode of every API not listed.")
    apis: dict[str, Mode | ApiFlags] = Field(default_factory=dict, description="Modes by API name.")

    def api_flags(self, api: str) -> ApiFlags:
        entry = self.apis.get(api)
        return entry if isinstance(entry, ApiFlags) else _api_entry_of_mode(entry)


# Frozen, so one per mode serves every entry written short (`models: migrated`) in every file.
@functools.cache
def _api_entry_of_mode(mode: Mode | None) -> ApiFlags:
    return ApiFlags(mode=mode)


@functools.cache
def _route_entry_of_mode(mode: Mode) -> RouteFlags:
    return RouteFlags(mode=mode)


# Where pydantic names the member of `Mode | ApiFlags` it tried, in ("apis", API, member, ...), and
# of `Mode | RouteFlags` in ("apis", API, "routes", KEY, member, ...) once the first is gone.
_API_ENTRY_MEMBER = 2
_ROUTE_ENTRY_MEMBER = 4


def _key_path(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # The person wrote an entry, not a member of its union type: that part of the location goes.
    if loc[:1] == ("apis",) and len(loc) > _API_ENTRY_MEMBER:
        loc = (*loc[:_API_ENTRY_MEMBER], *loc[_API_ENTRY_MEMBER + 1 :])
        if loc[_API_ENTRY_MEMBER : _API_ENTRY_MEMBER + 1] == ("routes",) and len(loc) > _ROUTE_ENTRY_MEMBER:
            loc = (*loc[:_ROUTE_ENTRY_MEMBER], *loc[_ROUTE_ENTRY_MEMBER + 1 :])
    return loc


def _allowed_keys(loc: tuple[Any, ...]) -> tuple[str, ...]:
    if len(loc) == 1:
        return ("default", "apis")
    if "rollback" in loc[:-1]:
        return tuple(RollbackFlags.model_fields)
    if loc[_API_ENTRY_MEMBER : _API_ENTRY_MEMBER + 1] == ("routes",):
        return tuple(RouteFlags.model_fields)
    return tuple(ApiFlags.model_fields)


def _structure_error(path: Path, exc: ValidationError) -> FlagsError:
    # An API entry is a mode or a mapping; report the error of the form the person wrote.
    errors = [
        e
        for e in exc.errors()
        if not (e["type"] == "literal_error" and not isinstance(e.get("input"), str))
        and not (e["type"] == "model_type" and isinstance(e.get("input"), str))
    ] or exc.errors()
    error = errors[0]
    loc = _key_path(error["loc"])
    key = ".".join(str(part) for part in loc)
    value = error.get("input")
    if error["type"] == "literal_error":
        return FlagsError(
            path, key, f"unknown mode {value!r}{did_you_mean(str(value), MODES)}; modes: {', '.join(MODES)}"
        )
    if error["type"] == "extra_forbidden":
        last = str(loc[-1])
        allowed = _allowed_keys(loc)
        return FlagsError(
            path, key, f"unknown key {last!r}{did_you_mean(last, allowed)}; allowed: {', '.join(allowed)}"
        )
    if error["type"] == "value_error":
        # A validator's own sentence, without pydantic's "Value error, " in front.
        return FlagsError(path, key, str(error["ctx"]["error"]))
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


def check_against_routes(flags: FlagFile, path: Path, routes: Iterable[GatewayRoute], kept: Kept | None = None) -> None:
    """Refuse unknown APIs, unknown route keys and `migrated` where no router serves.

    The entries `kept` names passed this check against the same routes in the flags in force.
    """
    to_check = {api: entry for api, entry in flags.apis.items() if kept is None or api not in kept.apis}
    if not to_check:
        return
    routes = tuple(routes)
    by_api: dict[str, dict[str, GatewayRoute]] = {}
    for route in routes:
        if route.api in to_check:
            by_api.setdefault(route.api, {})[route.key] = route
    for api, entry in to_check.items():
        if api not in by_api:
            names = dict.fromkeys(route.api for route in routes)
            raise FlagsError(
                path, f"apis.{api}", f"unknown API {api!r}{did_you_mean(api, names)}; APIs: {', '.join(names)}"
            )
        api_flags = flags.api_flags(api)
        if api_flags.mode in ROUTER_MODES and not any(route.migrated for route in by_api[api].values()):
            key = f"apis.{api}" if not isinstance(entry, ApiFlags) else f"apis.{api}.mode"
            raise FlagsError(path, key, f"API {api!r} has no router yet; its only valid mode is legacy")
        for route_key in api_flags.routes:
            mode = api_flags.route_flags(route_key).mode  # type: ignore[union-attr]
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
    """A route's mode in force, the side that answers in it, and which flag chose it."""

    mode: Mode
    reason: Reason
    sample: float = 1.0
    """The share of requests shadowed (mode shadow)."""
    canary: Canary | None = None
    """The split and rollback rules (mode canary)."""
    record: float = 0.0
    """The share of the exchanges legacy serves that are recorded (modes legacy and shadow)."""

    @property
    def backend(self) -> Side:
        """The side whose answer the client gets."""
        return ANSWERING_SIDE[self.mode]

    def describe(self) -> str:
        """The mode as a person reads it: ``shadow (sample 0.5)``."""
        return describe_mode(self.mode, self.sample, self.canary)


def describe_mode(mode: Mode, sample: float | None = None, canary: Canary | None = None) -> str:
    """A mode with the fields that change what it does: ``shadow (sample 0.5)``, ``canary 10 % (client)``."""
    if mode == "canary" and canary is not None:
        return f"canary {canary.percent:g} % ({canary.sticky})"
    return f"{mode} (sample {sample:g})" if mode == "shadow" and sample not in (None, 1.0) else mode


@dataclass(frozen=True)
class FlagsSnapshot:
    """Flags resolved against the served routes; replaced whole, never changed."""

    flags: FlagFile
    path: str
    sha256: str
    loaded_at: datetime
    decisions: Mapping[str, Decision]
    """By route key."""
    api_backends: Mapping[str, Mode]
    """Each API's own mode in force (its mode, or the default), as far as it has a router."""
    with_router: frozenset[str]
    """The APIs that have a router."""
    partial: Mapping[str, tuple[LegacyOnlyRoute, ...]]
    """By API in a mode that needs its router, the routes that stay legacy for want of a migrated twin."""
    routes: tuple[GatewayRoute, ...] = field(repr=False)


def _capped(mode: Mode, available: bool) -> Mode:
    return mode if available or mode not in ROUTER_MODES else "legacy"


def entry_digest(flags: FlagFile, api: str) -> str:
    """The identity of `api`'s entry in the flag file: it changes exactly when the entry does."""
    return hashlib.sha256(flags.api_flags(api).model_dump_json().encode()).hexdigest()[:16]


def _sample(sample: float | None) -> float:
    return 1.0 if sample is None else sample


def text_sha256(text: str) -> str:
    """The flag file's identity in logs and status."""
    return hashlib.sha256(text.encode()).hexdigest()


class _ApiDecisions:
    """The decisions of one API's routes: worked out once for the API, once more per route override.

    A route that follows its API shares one `Decision` with the others of its side (they are frozen),
    so a reload builds a handful of them for a thousand routes, not thousands.
    """

    def __init__(self, flags: FlagFile, api: str, with_router: bool, made: dict[tuple[Any, ...], Decision]) -> None:
        self.flags = flags.api_flags(api)
        self.mode: Mode = self.flags.mode or flags.default
        self.reason: Reason = "api" if self.flags.mode else "default"
        self.backend = _capped(self.mode, with_router)
        self._api = api
        self._entries = flags
        self._canary: Canary | None = None
        self._following: dict[bool, Decision] = {}
        self._made = made

    def decide(self, route: GatewayRoute) -> Decision:
        override = self.flags.route_flags(route.key) if self.flags.routes else None
        if override is not None:
            return self._decision(override.mode, "route", override.sample, route.migrated)
        decision = self._following.get(route.migrated)
        if decision is None:
            decision = self._following[route.migrated] = self._decision(
                self.mode, self.reason, self.flags.sample, route.migrated
            )
        return decision

    def _decision(self, mode: Mode, reason: Reason, sample: float | None, migrated: bool) -> Decision:
        mode = _capped(mode, migrated)
        canary = self._canary_in_force() if mode == "canary" else None
        record = (self.flags.record or 0.0) if mode in RECORDING_MODES else 0.0
        fields = (mode, reason, _sample(sample), canary, record)
        decision = self._made.get(fields)
        if decision is None:
            decision = self._made[fields] = Decision(*fields)
        return decision

    def _canary_in_force(self) -> Canary | None:
        if self._canary is None:
            self._canary = self.flags.canary(entry_digest(self._entries, self._api))
        return self._canary


@dataclass(frozen=True)
class Kept:
    """What a reload takes as it is from the flags in force: the decisions of `apis`, whose entries did not change."""

    snapshot: FlagsSnapshot
    apis: frozenset[str]


def resolve(
    flags: FlagFile, path: str, text: str, routes: Iterable[GatewayRoute], kept: Kept | None = None
) -> FlagsSnapshot:
    """Decide the backend of every route, once, for this version of the flags (`kept`'s APIs as they are)."""
    routes = tuple(routes)
    with_router = apis_with_router(routes) if kept is None else kept.snapshot.with_router
    kept_apis = frozenset[str]() if kept is None else kept.apis
    # The kept APIs' decisions copied whole (the routes are the same, so is their order); the others replaced.
    decisions: dict[str, Decision] = {} if kept is None else dict(kept.snapshot.decisions)
    api_backends: dict[str, Mode] = {} if kept is None else dict(kept.snapshot.api_backends)
    by_api: dict[str, _ApiDecisions] = {}
    # The same decision for routes of different APIs is one object too: a few kinds serve a thousand routes.
    made: dict[tuple[Any, ...], Decision] = {}
    changed = [route for route in routes if route.api not in kept_apis]
    for route in changed:
        api = by_api.get(route.api)
        if api is None:
            api = by_api[route.api] = _ApiDecisions(flags, route.api, route.api in with_router, made)
            api_backends[route.api] = api.backend
        decisions[route.key] = api.decide(route)
    found = legacy_only_routes(changed)
    if kept is not None:
        found.update((api, kept.snapshot.partial[api]) for api in kept_apis if api in kept.snapshot.partial)
    # Only APIs with a router have legacy-only routes: there a mode capped to the router's presence is the mode.
    partial = {api: found[api] for api in api_backends if api in found and api_backends[api] in ROUTER_MODES}
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
    """One entry per API or route whose mode in force changed (its backend, or shadowing).

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
        if before is None or before.mode == after.mode:
            continue
        follows_api = before.mode == old.api_backends[route.api] and after.mode == new.api_backends[route.api]
        if not follows_api:
            entries.append({"api": route.api, "route": route.key, "old": before.mode, "new": after.mode})
    return entries
