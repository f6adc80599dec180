"""One OpenAPI document for the whole server, each operation taken from the side serving it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gateway.__about__ import __version__
from gateway.lifecycle import SIDES, ServedApi, Side
from gateway.routes import GatewayRoute

TITLE = "Strangler Gateway"
_CONVERTER = re.compile(r"{(\w+):\w+}")

Documents = Mapping[tuple[str, Side], dict[str, Any]]


def api_documents(apis: Iterable[ServedApi]) -> dict[tuple[str, Side], dict[str, Any]]:
    """Each side's own document, by (API, side), for the apps that produce one."""
    documents: dict[tuple[str, Side], dict[str, Any]] = {}
    for api in apis:
        for side in SIDES:
            app = api.app(side)
            if app is not None and hasattr(app, "openapi"):
                documents[(api.name, side)] = app.openapi()
    return documents


def merged_openapi(
    routes: Iterable[GatewayRoute], side_of: Callable[[GatewayRoute], Side], documents: Documents
) -> dict[str, Any]:
    """The document of the whole server: for every route, the operation of the side `side_of` names.

    Component schemas are taken from every document an operation came from; a name two
    sides define differently keeps the first definition.
    """
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    used: list[dict[str, Any]] = []
    for route in routes:
        document = documents.get((route.api, side_of(route)))
        path = _CONVERTER.sub(r"{\1}", route.template)
        operation = (document or {}).get("paths", {}).get(path, {}).get(route.method.lower())
        if document is None or operation is None:
            continue
        paths.setdefault(path, {})[route.method.lower()] = operation
        if not any(document is seen for seen in used):
            used.append(document)
    for document in used:
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(name, schema)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": __version__},
        "paths": paths,
        "components": {"schemas": schemas},
    }
