"""One OpenAPI document for the whole server, each operation taken from the side serving it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gateway.__about__ import __version__
from gateway.lifecycle import ServedApi
from gateway.modes import SIDES, Side
from gateway.routes import GatewayRoute
from http_conventions.openapi import openapi_path

TITLE = "Strangler Gateway"

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

    Component schemas and security schemes are taken from every document an operation
    came from; a name two sides define differently keeps the first definition. So is the
    document-wide security requirement (what an operation that declares none needs).
    """
    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, dict[str, Any]] = {"schemas": {}}
    used: list[dict[str, Any]] = []
    for route in routes:
        document = documents.get((route.api, side_of(route)))
        path = openapi_path(route.template)
        operation = (document or {}).get("paths", {}).get(path, {}).get(route.method.lower())
        if document is None or operation is None:
            continue
        paths.setdefault(path, {})[route.method.lower()] = operation
        if not any(document is seen for seen in used):
            used.append(document)
    merged: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": TITLE, "version": __version__}}
    for document in used:
        for kind in ("schemas", "securitySchemes"):
            for name, definition in document.get("components", {}).get(kind, {}).items():
                components.setdefault(kind, {}).setdefault(name, definition)
        if "security" in document:
            merged.setdefault("security", document["security"])
    return {**merged, "paths": paths, "components": components}
