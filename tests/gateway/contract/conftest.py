from __future__ import annotations

from typing import Any

import pytest

from gateway.contract import Finding, diff_documents
from legacy_adapter import create_legacy_app
from tests.gateway.contract.drifting_api import API, WidgetsApi, migrated_widgets, new_widgets


@pytest.fixture(scope="session")
def drifting_documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """The drifting API's legacy and migrated documents, as the gateway reads them from the apps."""
    implementation = new_widgets()
    legacy = create_legacy_app(WidgetsApi, implementation).openapi()
    migrated = migrated_widgets(implementation, None).openapi()  # type: ignore[arg-type]
    return legacy, migrated


@pytest.fixture(scope="session")
def drifting_findings(drifting_documents: tuple[dict[str, Any], dict[str, Any]]) -> list[Finding]:
    return diff_documents(API, *drifting_documents)
