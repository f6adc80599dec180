"""What a legacy app serves on each route, as plain data, for the tools that write its router.

`gateway scaffold` reads it by module name (the gateway does not import the adapter): for
each route, where FastAPI reads each parameter on the legacy side, the answer a DELETE
returning None gives, the argument that switches to a stream, the docstring's texts and who
may call it, all by the rules the adapter serves the route with::

    routes = served_routes(create_legacy_app(ModelsApi, implementation))
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from fastapi import params
from fastapi.dependencies.utils import get_dependant
from starlette.routing import compile_path

from legacy_adapter.app import DECLARED_ROUTES, documented, stream_argument
from legacy_adapter.discovery import WebRoute
from legacy_adapter.docstrings import parse_docstring
from legacy_adapter.endpoint import LegacyEndpoint
from legacy_adapter.exceptions import ProtocolDefinitionError


@dataclass(frozen=True)
class ServedParameter:
    """A parameter of a route's method and where the legacy route reads it from."""

    name: str
    source: str
    """``path``, ``query``, ``header``, ``cookie``, ``body`` (JSON), ``form`` (form or file) or ``dependency``."""


@dataclass(frozen=True)
class ServedRoute:
    """One route of a legacy app: its protocol method, how it is served and documented."""

    protocol: str
    """The protocol declaring the route, as ``module:QualName``."""
    method_name: str
    """The implementation method, as an attribute path (``rag_tool.query`` for a nested protocol)."""
    path: str
    method: str
    declared_method: str
    deprecated: bool
    public: bool
    """Anyone may call it (``require_authentication=False``), whatever scope it names."""
    required_scope: str | None
    summary: str | None
    description: str | None
    returns: str | None
    parameter_docs: dict[str, str]
    parameters: tuple[ServedParameter, ...]
    embedded_body: bool
    """The JSON body is one object keyed by parameter name, not one parameter's value."""
    status_code: int | None
    """The status of a result of None when it is not 200 `null` (204 for a DELETE)."""
    raw_response: bool
    """The method returns a Response of its own, sent as it is."""
    stream_argument: str | None
    """``stream`` or ``params`` (its `stream` field) when a true value answers with server-sent events."""


def _sources(route: WebRoute, method: Any) -> tuple[dict[str, str], bool]:
    """Where the legacy route reads each parameter, and whether its JSON body is keyed by parameter name.

    FastAPI's own reading of the endpoint the adapter builds, so every inference rule is FastAPI's.
    """
    _, path_format, _ = compile_path(route.path)
    dependant = get_dependant(path=path_format, call=LegacyEndpoint(method, route))
    sources: dict[str, str] = {}
    for source, fields in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("header", dependant.header_params),
        ("cookie", dependant.cookie_params),
    ):
        sources.update((field.name, source) for field in fields)
    for field in dependant.body_params:
        sources[field.name] = "form" if isinstance(field.field_info, params.Form) else "body"
    sources.update((sub.name, "dependency") for sub in dependant.dependencies if sub.name)
    body = [field for field in dependant.body_params if not isinstance(field.field_info, params.Form)]
    embedded = len(body) > 1 or any(getattr(field.field_info, "embed", False) for field in body)
    return sources, embedded


def _served_route(route: WebRoute) -> ServedRoute:
    # The protocol's function, bound so that `self` is not a parameter: the route as the protocol declares it.
    method = route.protocol_function.__get__(object())
    sources, embedded = _sources(route, method)
    parameters = tuple(
        ServedParameter(name, sources.get(name, "body")) for name in inspect.signature(method).parameters
    )
    shown = documented(method, route)
    doc = parse_docstring(route.protocol_function.__doc__)
    return ServedRoute(
        protocol=f"{route.protocol.__module__}:{route.protocol.__qualname__}",
        method_name=route.name,
        path=route.path,
        method=route.method,
        declared_method=route.declared_method,
        deprecated=route.deprecated,
        public=not route.require_authentication,
        required_scope=route.required_scope,
        summary=doc.summary,
        description=doc.description,
        returns=doc.returns,
        parameter_docs=dict(doc.params),
        parameters=parameters,
        embedded_body=embedded,
        status_code=shown.get("status_code"),
        raw_response="response_class" in shown,
        stream_argument=stream_argument(method),
    )


def served_routes(app: Any) -> list[ServedRoute]:
    """Every route of a legacy app (`create_legacy_app`'s), in the order it serves them."""
    routes: list[WebRoute] | None = getattr(app.state, DECLARED_ROUTES, None)
    if routes is None:
        raise ProtocolDefinitionError(f"{app!r} was not built by create_legacy_app: it declares no webmethod routes")
    return [_served_route(route) for route in routes]
