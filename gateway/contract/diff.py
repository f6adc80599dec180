"""The contract diff of one API: its two documents paired operation by operation, every check run on each pair."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gateway.contract.catalogue import CHECKS
from gateway.contract.documents import operations
from gateway.contract.findings import ApiReport, Finding
from gateway.contract.pairing import pair_operations


def diff_documents(api: str, legacy: Mapping[str, Any], migrated: Mapping[str, Any]) -> list[Finding]:
    """Every finding of the catalogue between `api`'s legacy and migrated OpenAPI documents.

    In operation order (legacy's first), then catalogue order::

        findings = diff_documents("files", legacy_app.openapi(), router_app.openapi())

    A document that is not OpenAPI, or whose `$ref` names nothing, raises `ContractInputError`.
    """
    pairs = pair_operations(operations(legacy, f"{api} (legacy)"), operations(migrated, f"{api} (migrated)"))
    return [
        Finding(
            id=check.id,
            level=check.level,
            api=api,
            operation=pair.key,
            message=check.template.format(operation=pair.key, **hit.values),
            legacy_pointer=hit.legacy,
            migrated_pointer=hit.migrated,
            subject=hit.subject,
        )
        for pair in pairs
        for check in CHECKS
        for hit in check.find(pair)
    ]


NO_ROUTER = "nothing to compare: no router"


def diff_apis(documents: Mapping[tuple[str, Any], Mapping[str, Any]], apis: Iterable[str]) -> list[ApiReport]:
    """Each API's findings from its documents keyed (API, side); an API without a migrated one gets `NO_ROUTER`."""
    reports: list[ApiReport] = []
    for api in apis:
        legacy, migrated = documents.get((api, "legacy")), documents.get((api, "migrated"))
        if legacy is None or migrated is None:
            reports.append(ApiReport(api, note=NO_ROUTER))
        else:
            reports.append(ApiReport(api, diff_documents(api, legacy, migrated)))
    return reports
