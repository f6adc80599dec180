"""Every legacy operation is in the migrated document, with the same contract and better texts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from apis.registry import registry
from gateway.lifecycle import ServedApi, started_apis
from gateway.settings import ServerSettings

MIGRATED = [registration.name for registration in registry if registration.migrated is not None]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[dict[str, ServedApi]]:
    async with started_apis(registry, ServerSettings(data_dir=tmp_path)) as apis:
        yield {api.name: api for api in apis}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def _contract(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """What a client must send: parameters (name, place, required) and, per media type, required body fields."""
    parameters = sorted((p["name"], p["in"], p.get("required", False)) for p in operation.get("parameters", []))
    body = {
        media: sorted(_resolve(document, content.get("schema", {})).get("required", []))
        for media, content in operation.get("requestBody", {}).get("content", {}).items()
    }
    return {"parameters": parameters, "body": body, "deprecated": operation.get("deprecated", False)}


@pytest.mark.anyio
@pytest.mark.parametrize("api", MIGRATED)
async def test_every_legacy_operation_has_the_same_contract_in_the_migrated_document(
    served: dict[str, ServedApi], api: str
) -> None:
    legacy_app, migrated_app = served[api].legacy, served[api].migrated
    assert migrated_app is not None
    legacy, migrated = legacy_app.openapi(), migrated_app.openapi()  # type: ignore[attr-defined]
    legacy_operations, migrated_operations = _operations(legacy), _operations(migrated)
    assert set(legacy_operations) <= set(migrated_operations)
    for key, operation in legacy_operations.items():
        assert _contract(migrated, migrated_operations[key]) == _contract(legacy, operation), key


@pytest.mark.anyio
@pytest.mark.parametrize("api", MIGRATED)
async def test_migrated_document_describes_every_operation_parameter_and_body_field(
    served: dict[str, ServedApi], api: str
) -> None:
    migrated_app = served[api].migrated
    assert migrated_app is not None
    document = migrated_app.openapi()  # type: ignore[attr-defined]
    undescribed = []
    for (method, path), operation in _operations(document).items():
        if not operation.get("summary"):
            undescribed.append(f"{method} {path}: summary")
        for parameter in operation.get("parameters", []):
            if not parameter.get("description"):
                undescribed.append(f"{method} {path}: parameter {parameter['name']}")
        for content in operation.get("requestBody", {}).get("content", {}).values():
            for name, schema in _resolve(document, content.get("schema", {})).get("properties", {}).items():
                if not schema.get("description"):
                    undescribed.append(f"{method} {path}: body field {name}")
    assert not undescribed


@pytest.mark.anyio
@pytest.mark.parametrize("side", ["legacy", "migrated"])
async def test_documents_say_validation_fails_with_400_not_422(served: dict[str, ServedApi], side: str) -> None:
    for api in served.values():
        app = api.app(side)  # type: ignore[arg-type]
        if app is None:
            continue
        document = app.openapi()  # type: ignore[attr-defined]
        for (method, path), operation in _operations(document).items():
            assert "422" not in operation["responses"], f"{api.name}: {method} {path}"
        assert "HTTPValidationError" not in document["components"]["schemas"]
