"""Finding a team's `@webmethod` protocols, and the classes that implement them, in its package.

A protocol is a class with a method that carries a webmethod record (`__webmethods__`, or one
`__webmethod__`), whichever decorator left it. `gateway init` reads what is found here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType

from legacy_adapter.discovery import discover_routes, webmethod_records

_SUFFIXES = ("Protocol", "Api", "API")


@dataclass(frozen=True)
class FoundProtocol:
    """A protocol of the package, the API name proposed for it and its implementation, if one was found."""

    api: str
    protocol: type
    methods: frozenset[str]
    implementation: type | None


def api_name(protocol: type) -> str:
    """``ModelsApi`` is ``models``, ``ToolRuntime`` is ``tool_runtime``."""
    name = protocol.__name__
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and name != suffix:
            name = name[: -len(suffix)]
            break
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def package_modules(package: str) -> list[ModuleType]:
    """The package and every module under it, imported (an import error is the caller's to report)."""
    root = importlib.import_module(package)
    modules = [root]
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=f"{package}."):
        modules.append(importlib.import_module(info.name))
    return modules


def _own_classes(modules: list[ModuleType]) -> list[type]:
    return [
        member
        for module in modules
        for member in vars(module).values()
        if inspect.isclass(member) and member.__module__ == module.__name__
    ]


def _implementation(protocol: type, methods: frozenset[str], classes: list[type]) -> type | None:
    """The one concrete class that has every routed method and is no protocol, if there is exactly one."""
    found = [
        klass
        for klass in classes
        if klass is not protocol
        and not getattr(klass, "_is_protocol", False)
        and all(callable(getattr(klass, name, None)) for name in methods)
    ]
    return found[0] if len(found) == 1 else None


def _declares_routes(klass: type) -> bool:
    # Its own methods, not inherited ones: an implementation deriving from its protocol is no protocol.
    return any(webmethod_records(member) for member in vars(klass).values() if inspect.isfunction(member))


def find_protocols(package: str) -> list[FoundProtocol]:
    """Every class of `package` that declares webmethod routes, in module order, each with a distinct API name."""
    classes = _own_classes(package_modules(package))
    found: list[FoundProtocol] = []
    names: set[str] = set()
    for klass in classes:
        if not _declares_routes(klass):
            continue
        routes = discover_routes(klass)
        methods = frozenset(route.name for route in routes)
        api, number = api_name(klass), 2
        while api in names:
            api, number = f"{api_name(klass)}_{number}", number + 1
        names.add(api)
        found.append(FoundProtocol(api, klass, methods, _implementation(klass, methods, classes)))
    return found
