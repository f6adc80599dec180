"""The protocols one API serves, and finding each route's method on the implementation.

An API may declare its routes on several protocols, and a protocol may be served by an
attribute of the implementation rather than the implementation itself: the old server
served a tool runtime's RAG routes from ``impl.rag_tool``, its methods named
``rag_tool.query``::

    create_legacy_app([ToolRuntime, Nested("rag_tool", RAGToolRuntime)], implementation)
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from legacy_adapter.discovery import WebRoute, discover_routes
from legacy_adapter.exceptions import ImplementationError, ProtocolDefinitionError


@dataclass(frozen=True)
class Nested:
    """A protocol served by the implementation's attribute `attribute` (a dotted path is allowed)."""

    attribute: str
    protocol: type

    def __post_init__(self) -> None:
        if not all(part.isidentifier() for part in self.attribute.split(".")):
            raise ProtocolDefinitionError(f"Nested attribute must be a dotted Python name, not {self.attribute!r}")


Protocols = type | Nested | Sequence[type | Nested]
"""What `create_legacy_app` serves: one protocol, a nested one, or a list of them."""


def declared_routes(protocols: Protocols) -> list[WebRoute]:
    """Every route of every protocol, in the order given; a protocol with no routes adds none."""
    given = [protocols] if isinstance(protocols, type | Nested) else list(protocols)
    routes: list[WebRoute] = []
    for protocol in given:
        if isinstance(protocol, Nested):
            routes.extend(discover_routes(protocol.protocol, attribute=protocol.attribute))
        elif isinstance(protocol, type):
            routes.extend(discover_routes(protocol))
        else:
            raise ProtocolDefinitionError(f"a legacy app serves protocol classes or Nested(...), not {protocol!r}")
    return routes


def _missing(api: str, route: WebRoute, holder: Any, name: str) -> ImplementationError:
    candidates = [attr for attr in dir(holder) if not attr.startswith("_")]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    hint = f"; the closest name on it is {close[0]!r}" if close else ""
    return ImplementationError(
        f"API {api!r}: protocol {route.protocol.__name__} routes {route.declared_method} {route.path} to "
        f"method {route.name!r}, which the implementation ({type(holder).__name__}) does not have{hint}"
    )


def implementation_method(api: str, implementation: object, route: WebRoute) -> Callable[..., Any]:
    """The implementation's method for `route`, found by its attribute path, else `ImplementationError`."""
    found: Any = implementation
    for name in route.name.split("."):
        holder, found = found, getattr(found, name, None)
        if found is None:
            raise _missing(api, route, holder, name)
    if not callable(found):
        raise ImplementationError(
            f"API {api!r}: protocol {route.protocol.__name__} routes {route.declared_method} {route.path} to "
            f"{route.name!r}, which is a {type(found).__name__} on the implementation, not a method"
        )
    return found  # type: ignore[no-any-return]
