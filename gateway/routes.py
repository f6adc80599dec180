"""The routes the gateway serves, read from the apps of each API, and the index that finds them.

A request is matched on its decoded path (``%2F`` in a ``{x:path}`` parameter arrives as
``/``). Static templates are one dict lookup; templates with parameters are grouped by
their literal leading segments, so a lookup tries one dict key per path depth and then
the few templates sharing that prefix: the cost does not grow with the number of APIs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from starlette.routing import compile_path

from gateway.lifecycle import ServedApi
from gateway.requirements import AUTHENTICATED, Requirement, declared_requirement


@dataclass(frozen=True)
class GatewayRoute:
    """One method and template of one API, which sides implement it, and what each side requires."""

    api: str
    method: str
    template: str
    legacy: bool
    migrated: bool
    deprecated: bool = False
    legacy_auth: Requirement | None = None
    migrated_auth: Requirement | None = None
    key: str = field(init=False, compare=False)
    """The route key of the flag file: ``"METHOD <template>"``."""

    def __post_init__(self) -> None:
        # Computed once: the gateway looks routes up by key on every request.
        object.__setattr__(self, "key", f"{self.method} {self.template}")

    @property
    def level(self) -> str:
        """The first path segment: ``v1``, ``v1alpha``, ``v1beta``."""
        return self.template.strip("/").split("/", 1)[0]

    @property
    def auth(self) -> Requirement:
        """What a caller needs, whichever side serves (with --auth on, both sides must agree)."""
        return self.legacy_auth or self.migrated_auth or AUTHENTICATED


@dataclass(frozen=True)
class _Declared:
    deprecated: bool
    auth: Requirement


def _templates(app: Any, where: str) -> dict[tuple[str, str], _Declared]:
    """(method, template) of every route of `app`, and what the route declares."""
    templates: dict[tuple[str, str], _Declared] = {}
    for route in getattr(app, "routes", ()):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if isinstance(path, str) and methods:
            # Starlette answers HEAD for every GET route; it is not a route of its own.
            for method in sorted(set(methods) - {"HEAD"} or methods):
                templates[(method, path)] = _Declared(
                    deprecated=bool(getattr(route, "deprecated", False)),
                    auth=declared_requirement(route, f"{where}: {method} {path}"),
                )
    return templates


def collect_routes(apis: Iterable[ServedApi]) -> list[GatewayRoute]:
    """Every route of every API, in registration then definition order."""
    routes: list[GatewayRoute] = []
    for api in apis:
        legacy = _templates(api.legacy, f"{api.name} (legacy)")
        migrated = _templates(api.migrated, f"{api.name} (migrated)") if api.migrated is not None else {}
        for method, template in dict.fromkeys([*legacy, *migrated]):
            on_legacy, on_migrated = legacy.get((method, template)), migrated.get((method, template))
            routes.append(
                GatewayRoute(
                    api=api.name,
                    method=method,
                    template=template,
                    legacy=on_legacy is not None,
                    migrated=on_migrated is not None,
                    deprecated=any(side.deprecated for side in (on_legacy, on_migrated) if side),
                    legacy_auth=on_legacy.auth if on_legacy else None,
                    migrated_auth=on_migrated.auth if on_migrated else None,
                )
            )
    return routes


def apis_with_router(routes: Iterable[GatewayRoute]) -> frozenset[str]:
    """The APIs that have a migrated side for at least one route."""
    return frozenset(route.api for route in routes if route.migrated)


def _literal_prefix(template: str) -> tuple[str, ...]:
    segments = template.strip("/").split("/")
    prefix = []
    for segment in segments:
        if "{" in segment:
            break
        prefix.append(segment)
    return tuple(prefix)


@dataclass(frozen=True)
class RouteMatch:
    """The route a request goes to, or the methods its path allows (405), or neither (404)."""

    route: GatewayRoute | None = None
    allowed: frozenset[str] = frozenset()
    key: str | None = field(init=False, compare=False)
    """The route's key; None when no route matched."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.route.key if self.route else None)


NOT_FOUND = RouteMatch()


class _Template:
    """The matches of one path template, made once: a request allocates none."""

    def __init__(self, by_method: dict[str, GatewayRoute]) -> None:
        self.by_method = {method: RouteMatch(route=route) for method, route in by_method.items()}
        if "GET" in by_method and "HEAD" not in by_method:
            # HEAD is answered by the GET route, as Starlette does.
            self.by_method["HEAD"] = self.by_method["GET"]
        self.refused = RouteMatch(allowed=frozenset(by_method))

    def match(self, method: str) -> RouteMatch:
        return self.by_method.get(method, self.refused)


class _Pattern:
    """A template with parameters; its regex is compiled when a path first needs it (1000 take 0.1 s at start-up)."""

    def __init__(self, path: str, template: _Template) -> None:
        self.path = path
        self.template = template

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return compile_path(self.path)[0]


_REMEMBERED_PATH_LENGTH = 256


class RouteIndex:
    """Find the route of a method and decoded path in time independent of the number of routes.

    `seen` bounds the paths with parameters whose template is remembered: a path seen again
    (the same model, file or batch) is one dict lookup, as a static path is, and allocates
    nothing; when full, the remembered paths are dropped and learnt again. Paths longer than
    256 characters are matched every time.
    """

    def __init__(self, routes: Iterable[GatewayRoute], seen: int = 4096) -> None:
        static: dict[str, dict[str, GatewayRoute]] = {}
        patterns: dict[str, dict[str, GatewayRoute]] = {}
        for route in routes:
            target = patterns if "{" in route.template else static
            target.setdefault(route.template, {}).setdefault(route.method, route)
        self._static: dict[str, _Template | None] = {
            template: _Template(by_method) for template, by_method in static.items()
        }
        self._known = dict(self._static)
        self._most_known = len(self._static) + seen
        self._by_prefix: dict[tuple[str, ...], list[_Pattern]] = {}
        for template, by_method in patterns.items():
            self._by_prefix.setdefault(_literal_prefix(template), []).append(_Pattern(template, _Template(by_method)))
        self._depths = sorted({len(prefix) for prefix in self._by_prefix}, reverse=True)

    def match(self, method: str, path: str) -> RouteMatch:
        """The route, or else the methods the path allows (405), or neither (404); the path is matched once."""
        try:
            template = self._known[path]
        except KeyError:
            template = self._learn(path)
        return template.match(method) if template is not None else NOT_FOUND

    def _learn(self, path: str) -> _Template | None:
        template = self._match_pattern(path)
        # Short paths only, so that what is remembered stays within about a megabyte whatever clients send.
        if len(path) <= _REMEMBERED_PATH_LENGTH:
            if len(self._known) >= self._most_known:
                self._known = dict(self._static)
            self._known[path] = template
        return template

    def _match_pattern(self, path: str) -> _Template | None:
        segments = tuple(path.strip("/").split("/"))
        for depth in self._depths:
            for pattern in self._by_prefix.get(segments[:depth], ()):
                if pattern.regex.match(path):
                    return pattern.template
        return None
