"""One OpenAPI document for the whole server, merged from each API's own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gateway.__about__ import __version__
from gateway.lifecycle import ServedApi, Side

TITLE = "Strangler Gateway"


def merge_openapi(documents: Iterable[dict[str, Any]], *, title: str, version: str) -> dict[str, Any]:
    """Union of the paths and component schemas of `documents` (earlier ones win a clash)."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for document in documents:
        for path, operations in document.get("paths", {}).items():
            merged = paths.setdefault(path, {})
            for method, operation in operations.items():
                merged.setdefault(method, operation)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(name, schema)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def side_openapi(apis: Iterable[ServedApi], side: Side) -> dict[str, Any]:
    """One document for every API served from `side` (APIs without that side are left out)."""
    documents = []
    for api in apis:
        app = api.app(side)
        if app is not None and hasattr(app, "openapi"):
            documents.append(app.openapi())
    return merge_openapi(documents, title=TITLE, version=__version__)
