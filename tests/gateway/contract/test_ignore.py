from __future__ import annotations

from pathlib import Path

import pytest

from gateway.contract import Finding, accept, failing, load_ignore_file
from gateway.contract.findings import Level
from gateway.exceptions import ContractInputError

DELETE = "DELETE /v1/widgets/{widget_id}"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contract-ignore.yaml"
    path.write_text(text)
    return path


def test_ignore_accepted_finding_is_kept_with_its_reason_and_no_longer_fails(
    tmp_path: Path, drifting_findings: list[Finding]
) -> None:
    entries = load_ignore_file(
        _write(tmp_path, f"- id: success-status-changed\n  operation: {DELETE}\n  reason: our clients ignore it\n")
    )
    marked, stale = accept(drifting_findings, entries)
    assert len(marked) == len(drifting_findings)
    accepted = [finding for finding in marked if finding.accepted]
    assert [(finding.id, finding.operation, finding.accepted) for finding in accepted] == [
        ("success-status-changed", DELETE, "our clients ignore it")
    ]
    assert stale == []
    assert not failing(accepted, Level.INFO)


def test_ignore_subject_narrows_an_entry_to_one_field(tmp_path: Path, drifting_findings: list[Finding]) -> None:
    text = (
        "- id: request-parameter-removed\n  operation: POST /v1/files\n  subject: expires_after[anchor]\n"
        "  reason: nobody sends it\n"
    )
    marked, _ = accept(drifting_findings, load_ignore_file(_write(tmp_path, text)))
    assert [finding.subject for finding in marked if finding.accepted] == ["expires_after[anchor]"]


def test_ignore_entry_matching_nothing_is_returned_as_stale(tmp_path: Path, drifting_findings: list[Finding]) -> None:
    entries = load_ignore_file(_write(tmp_path, "- id: method-changed\n  operation: GET /nowhere\n  reason: old\n"))
    _, stale = accept(drifting_findings, entries)
    assert stale == list(entries)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "- id: success-status-change\n  operation: X\n  reason: r\n",
            "entry 1: id: Value error, unknown check id 'success-status-change' "
            "(did you mean 'success-status-changed'?)",
            id="unknown-id",
        ),
        pytest.param("- id: method-changed\n  operation: X\n", "entry 1: reason: Field required", id="no-reason"),
        pytest.param("id: method-changed\n", "is a list of entries", id="not-a-list"),
        pytest.param("- [unclosed\n", "cannot read the ignore file", id="bad-yaml"),
    ],
)
def test_ignore_bad_file_names_the_file_and_the_entry(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ContractInputError) as caught:
        load_ignore_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
