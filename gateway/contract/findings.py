"""Levels and findings: what the diff reports, in the form every renderer and the status read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """How much a change matters to a client, as oasdiff grades them."""

    ERR = "ERR"
    """A client that works against legacy breaks."""
    WARN = "WARN"
    """May break a client, or changes what client generators produce."""
    INFO = "INFO"

    @property
    def rank(self) -> int:
        return {"ERR": 2, "WARN": 1, "INFO": 0}[self.value]


@dataclass(frozen=True)
class Hit:
    """What one check found in one operation, before the catalogue gives it a level and a sentence."""

    values: dict[str, str] = field(default_factory=dict)
    """The template's placeholders (besides ``operation``)."""
    legacy: str | None = None
    """JSON pointer into the legacy document, where it says what changed."""
    migrated: str | None = None
    """The same in the migrated document."""
    subject: str | None = None
    """The parameter, field or status the finding is about, if it is about one."""


@dataclass(frozen=True)
class Finding:
    """One client-visible change in one operation of one API."""

    id: str
    level: Level
    api: str
    operation: str
    message: str
    legacy_pointer: str | None
    migrated_pointer: str | None
    subject: str | None = None
    accepted: str | None = None
    """The ignore file's reason, when the team accepted this finding on purpose."""

    def accept(self, reason: str) -> Finding:
        return replace(self, accepted=reason)

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON form (README, "gateway diff --format json")."""
        return {
            "id": self.id,
            "level": self.level.value,
            "api": self.api,
            "operation": self.operation,
            "subject": self.subject,
            "message": self.message,
            "legacy": self.legacy_pointer,
            "migrated": self.migrated_pointer,
            "accepted": self.accepted,
        }


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings not accepted, by level (``err``, ``warn``, ``info``), and how many were accepted."""
    findings = list(findings)
    by_level = {
        level.value.lower(): sum(1 for f in findings if f.level is level and f.accepted is None) for level in Level
    }
    return {**by_level, "accepted": sum(1 for f in findings if f.accepted is not None)}


def failing(findings: Iterable[Finding], threshold: Level) -> bool:
    """Whether a finding at or above `threshold` stands (accepted ones never fail)."""
    return any(f.accepted is None and f.level.rank >= threshold.rank for f in findings)


@dataclass(frozen=True)
class ApiReport:
    """One API's findings, or why it was not compared (`note`)."""

    api: str
    findings: list[Finding] = field(default_factory=list)
    note: str | None = None
