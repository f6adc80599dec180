"""Finding the routes a webmethod protocol declares."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from legacy_adapter.exceptions import ProtocolDefinitionError

# The old server coerced every other declared method to POST.
_KEPT_METHODS = frozenset({"GET", "DELETE"})


@dataclass(frozen=True)
class WebRoute:
    """A route as the legacy server served it."""

    name: str
    """The implementation method, as an attribute path (``query``, or ``rag_tool.query`` for a nested protocol)."""
    path: str
    """The path template as registered, e.g. ``/v1/models/{model_id:path}``."""
    method: str
    """The HTTP method as served: GET, DELETE or POST."""
    declared_method: str
    level: str
    deprecated: bool
    require_authentication: bool
    required_scope: str | None
    webmethod: Any
    """The decorator's record, for fields the adapter does not interpret."""
    protocol_function: Callable[..., Any]
    protocol: type
    """The protocol that declares the route."""


def served_method(declared: str) -> str:
    """The HTTP method the legacy server answers for a declared method."""
    declared = declared.upper()
    return declared if declared in _KEPT_METHODS else "POST"


def _functions_in_definition_order(protocol: type) -> dict[str, Callable[..., Any]]:
    functions: dict[str, Callable[..., Any]] = {}
    # Base protocols first, so an API extending another lists the inherited routes first.
    for klass in reversed(protocol.__mro__):
        for name, member in vars(klass).items():
            if inspect.isfunction(member):
                functions[name] = member
    return functions


def webmethod_records(function: Any) -> list[Any]:
    """The records a decorator left on `function`: a `__webmethods__` list, or one `__webmethod__`."""
    records = getattr(function, "__webmethods__", None)
    if records is not None:
        return list(records)
    record = getattr(function, "__webmethod__", None)
    return [] if record is None else [record]


def discover_routes(protocol: type, *, attribute: str = "") -> list[WebRoute]:
    """Every route declared on `protocol`, in definition order, one per webmethod record.

    With `attribute`, the protocol is served by the implementation's attribute of that name:
    its methods are named ``attribute.method``. A protocol with no routes gives none.
    """
    prefix = f"{attribute}." if attribute else ""
    routes: list[WebRoute] = []
    for name, function in _functions_in_definition_order(protocol).items():
        for record in webmethod_records(function):
            try:
                route, level = str(record.route), str(record.level)
            except AttributeError as exc:
                raise ProtocolDefinitionError(
                    f"{protocol.__name__}.{name}: a webmethod record must have 'route' and 'level' attributes"
                ) from exc
            declared = str(getattr(record, "method", "POST")).upper()
            routes.append(
                WebRoute(
                    name=prefix + name,
                    path=f"/{level}/{route.lstrip('/')}",
                    method=served_method(declared),
                    declared_method=declared,
                    level=level,
                    deprecated=bool(getattr(record, "deprecated", False)),
                    require_authentication=bool(getattr(record, "require_authentication", True)),
                    required_scope=getattr(record, "required_scope", None) or None,
                    webmethod=record,
                    protocol_function=function,
                    protocol=protocol,
                )
            )
    return routes
