"""The adapter's own OpenAPI document: FastAPI's, completed from docstrings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from http_conventions.openapi import openapi_path
from legacy_adapter.discovery import WebRoute
from legacy_adapter.docstrings import parse_docstring


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    resolved: dict[str, Any] = target
    return resolved


def _document_operation(document: dict[str, Any], operation: dict[str, Any], route: WebRoute) -> None:
    doc = parse_docstring(route.protocol_function.__doc__)
    if doc.summary:
        operation["summary"] = doc.summary
    if doc.description:
        operation["description"] = doc.description
    else:
        # FastAPI describes an operation with its whole docstring, `:param` lines included.
        operation.pop("description", None)
    for parameter in operation.get("parameters", []):
        text = doc.params.get(parameter["name"])
        if text:
            parameter["description"] = text
    body = operation.get("requestBody", {}).get("content", {})
    for media in body.values():
        properties = _resolve(document, media.get("schema", {})).get("properties", {})
        for name, schema in properties.items():
            text = doc.params.get(name)
            if text:
                schema["description"] = text
    if doc.returns:
        for status, response in operation.get("responses", {}).items():
            if status.startswith("2"):
                response["description"] = doc.returns


def document_from_docstrings(document: dict[str, Any], routes: Iterable[WebRoute]) -> dict[str, Any]:
    """Fill a legacy app's OpenAPI document in from its protocol's docstrings, as the old generator did."""
    for route in routes:
        operation = document.get("paths", {}).get(openapi_path(route.path), {}).get(route.method.lower())
        if operation is not None:
            _document_operation(document, operation, route)
    return document
