"""The routes an API's legacy app serves, read through the adapter's own rules, as plain data.

Reached by module name, as `--apis` is: the gateway does not import the adapter (SPEC 2),
and a tool that reads the old world leaves with it at the end of a migration. What is read
is described here as protocols, so the gateway depends on the shape, not on the adapter.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from gateway.exceptions import ScaffoldError

_READER = "legacy_adapter.served_routes"


class ServedParameter(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str:
        """``path``, ``query``, ``header``, ``cookie``, ``body``, ``form`` or ``dependency``."""
        ...


class ServedRoute(Protocol):
    @property
    def protocol(self) -> str: ...
    @property
    def method_name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def deprecated(self) -> bool: ...
    @property
    def public(self) -> bool: ...
    @property
    def required_scope(self) -> str | None: ...
    @property
    def summary(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def returns(self) -> str | None: ...
    @property
    def parameter_docs(self) -> Mapping[str, str]: ...
    @property
    def parameters(self) -> Sequence[ServedParameter]: ...
    @property
    def embedded_body(self) -> bool: ...
    @property
    def status_code(self) -> int | None: ...
    @property
    def raw_response(self) -> bool: ...
    @property
    def stream_argument(self) -> str | None: ...


def served_routes(api: str, legacy_app: Any) -> list[ServedRoute]:
    """Every route `legacy_app` serves, as the adapter serves it; `ScaffoldError` if the adapter did not build it."""
    reader = importlib.import_module(_READER)
    try:
        routes: list[ServedRoute] = reader.served_routes(legacy_app)
    except reader.ProtocolDefinitionError as exc:
        raise ScaffoldError(
            f"{api}: its legacy side is not a webmethod protocol served by the adapter ({exc})"
        ) from exc
    if not routes:
        raise ScaffoldError(f"{api}: its legacy protocol declares no routes, so there is no router to write")
    return routes
