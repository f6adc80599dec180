"""The ignore file: findings a team accepts on purpose, each with its reason.

YAML, a list of entries::

    - id: success-status-changed
      operation: DELETE /v1/files/{file_id}
      reason: clients of this API ignore the status; tracked in TICKET-12
      api: files            # optional: only this API
      subject: expires_at   # optional: only the finding about this parameter or field

An accepted finding is still reported, marked with the reason; it no longer fails the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from gateway.contract.catalogue import CHECK_IDS
from gateway.contract.findings import Finding
from gateway.exceptions import ContractInputError, did_you_mean


class IgnoreEntry(BaseModel):
    """One accepted finding: which check, where, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    operation: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    api: str | None = None
    subject: str | None = None

    @field_validator("id")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CHECK_IDS:
            raise ValueError(f"unknown check id {value!r}{did_you_mean(value, CHECK_IDS)}")
        return value

    def matches(self, finding: Finding) -> bool:
        return (
            finding.id == self.id
            and finding.operation == self.operation
            and self.api in (None, finding.api)
            and self.subject in (None, finding.subject)
        )


def load_ignore_file(path: Path) -> tuple[IgnoreEntry, ...]:
    """The entries of an ignore file, or `ContractInputError` naming the file and the entry at fault."""
    try:
        data = YAML(typ="safe").load(path.read_text())
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise ContractInputError(f"{path}: cannot read the ignore file: {exc}") from exc
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ContractInputError(f"{path}: an ignore file is a list of entries with id, operation and reason")
    entries: list[IgnoreEntry] = []
    for index, entry in enumerate(data, start=1):
        try:
            entries.append(IgnoreEntry.model_validate(entry))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'entry'}: {error['msg']}" for error in exc.errors()
            )
            raise ContractInputError(f"{path}: entry {index}: {problems}") from None
    return tuple(entries)


def accept(findings: Iterable[Finding], entries: Iterable[IgnoreEntry]) -> tuple[list[Finding], list[IgnoreEntry]]:
    """The findings with accepted ones marked, and the entries that matched nothing (stale, worth removing)."""
    entries = list(entries)
    used: set[IgnoreEntry] = set()
    marked: list[Finding] = []
    for finding in findings:
        entry = next((entry for entry in entries if entry.matches(finding)), None)
        if entry is not None:
            used.add(entry)
            finding = finding.accept(entry.reason)
        marked.append(finding)
    return marked, [entry for entry in entries if entry not in used]
