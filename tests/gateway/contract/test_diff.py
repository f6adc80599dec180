from __future__ import annotations

from typing import Any

import pytest

from gateway.contract import Finding, diff_documents
from gateway.exceptions import ContractInputError


def _resolve(document: dict[str, Any], pointer: str) -> Any:
    value: Any = document
    for part in pointer.removeprefix("#/").split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def _find(findings: list[Finding], check_id: str, operation: str) -> list[Finding]:
    return [finding for finding in findings if finding.id == check_id and finding.operation == operation]


@pytest.mark.parametrize(
    ("check_id", "operation", "message"),
    [
        pytest.param(
            "success-status-changed",
            "DELETE /v1/widgets/{widget_id}",
            "DELETE /v1/widgets/{widget_id}: success status 204 (legacy) became 200 (migrated); "
            "clients that check for 204 break",
            id="delete-204-became-200",
        ),
        pytest.param(
            "request-parameter-removed",
            "POST /v1/files",
            "POST /v1/files: form `expires_after[anchor]` (legacy) is not in the router's request; "
            "what clients send there is silently dropped or refused",
            id="multipart-field-dropped",
        ),
        pytest.param(
            "method-changed",
            "POST /v1/widgets/{widget_id}/rename",
            "POST /v1/widgets/{widget_id}/rename: method POST (legacy) became PUT (migrated); "
            "clients calling POST get 405",
            id="post-became-put",
        ),
        pytest.param(
            "path-parameter-renamed",
            "GET /v1/widgets/{widget_id}/parts",
            "GET /v1/widgets/{widget_id}/parts: the router spells it /v1/widgets/{id}/parts; the gateway pairs "
            "routes by their exact template, so this route stays on legacy while the API is migrated; name the "
            "parameters as legacy does",
            id="renamed-path-parameter",
        ),
        pytest.param(
            "operation-legacy-only",
            "GET /v1/widgets/{widget_id}/history",
            "GET /v1/widgets/{widget_id}/history: legacy serves it and the router has no twin, so it stays on "
            "legacy while the API is migrated; the router's closest operation is GET /v1/widgets/{widget_id}/stats",
            id="legacy-only-with-closest",
        ),
    ],
)
def test_diff_reference_drift_classes_named_with_an_actionable_sentence(
    drifting_findings: list[Finding], check_id: str, operation: str, message: str
) -> None:
    assert message in [finding.message for finding in _find(drifting_findings, check_id, operation)]


def test_diff_every_pointer_names_a_value_of_its_document(
    drifting_findings: list[Finding], drifting_documents: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    legacy, migrated = drifting_documents
    for finding in drifting_findings:
        assert finding.legacy_pointer or finding.migrated_pointer
        if finding.legacy_pointer:
            assert _resolve(legacy, finding.legacy_pointer) is not None, finding
        if finding.migrated_pointer:
            assert _resolve(migrated, finding.migrated_pointer) is not None, finding


def test_diff_renamed_path_parameter_is_not_also_a_removed_and_added_parameter(
    drifting_findings: list[Finding],
) -> None:
    operation = "GET /v1/widgets/{widget_id}/parts"
    assert [finding.id for finding in drifting_findings if finding.operation == operation] == ["path-parameter-renamed"]


def test_diff_optional_query_parameter_made_required_is_not_also_a_narrowed_type(
    drifting_findings: list[Finding],
) -> None:
    about_after = [finding.id for finding in drifting_findings if finding.subject == "after"]
    assert about_after == ["request-parameter-became-required"]


def test_diff_identical_documents_have_no_findings(drifting_documents: tuple[dict[str, Any], dict[str, Any]]) -> None:
    legacy, _ = drifting_documents
    assert diff_documents("widgets", legacy, legacy) == []


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        pytest.param([], "not an OpenAPI document", id="not-an-object"),
        pytest.param(
            {
                "paths": {
                    "/x": {
                        "get": {
                            "parameters": [
                                {"name": "a", "in": "query", "schema": {"$ref": "#/components/schemas/Gone"}}
                            ]
                        }
                    }
                }
            },
            "names nothing",
            id="dangling-ref",
        ),
    ],
)
def test_diff_unreadable_document_names_the_side_and_the_problem(document: Any, problem: str) -> None:
    good = {"paths": {"/x": {"get": {"parameters": [{"name": "a", "in": "query", "schema": {"type": "string"}}]}}}}
    with pytest.raises(ContractInputError, match=problem):
        diff_documents("things", good, document)


@pytest.mark.parametrize(
    ("legacy", "migrated", "finding"),
    [
        pytest.param(None, [{"bearer": []}], None, id="undeclared-is-authenticated-as-the-gateway-reads-it"),
        pytest.param([{"bearer": []}], [{"token": []}], None, id="scheme-name-does-not-matter"),
        pytest.param(None, [], "authenticated (legacy) became public (migrated)", id="opened"),
        pytest.param(
            [{"bearer": ["a"]}], [{"bearer": ["b"]}], "scope a (legacy) became scope b (migrated)", id="scope"
        ),
    ],
)
def test_diff_security_is_compared_as_the_gateway_enforces_it(
    legacy: list[Any] | None, migrated: list[Any] | None, finding: str | None
) -> None:
    def document(security: list[Any] | None) -> dict[str, Any]:
        operation: dict[str, Any] = {"responses": {}}
        if security is not None:
            operation["security"] = security
        return {"paths": {"/v1/x": {"get": operation}}}

    found = [f.message for f in diff_documents("x", document(legacy), document(migrated)) if f.id == "auth-changed"]
    assert found == ([f"GET /v1/x: security requirement {finding}; a flip changes who gets in"] if finding else [])
