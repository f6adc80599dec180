"""The diff as text for a terminal, JSON for machines, and markdown for a pull-request comment.

The JSON form is stable (the README documents its keys)::

    {"counts": {"err", "warn", "info", "accepted"},
     "apis": {"<api>": {"compared": true, "note": null, "counts": {...},
                        "findings": [{"id", "level", "api", "operation", "subject",
                                      "message", "legacy", "migrated", "accepted"}]}}}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from gateway.contract.findings import ApiReport, Finding, counts


def _summary(findings: Sequence[Finding]) -> str:
    tally = counts(findings)
    text = f"{tally['err']} ERR, {tally['warn']} WARN, {tally['info']} INFO"
    return text + (f" ({tally['accepted']} accepted)" if tally["accepted"] else "")


def _all(reports: Sequence[ApiReport]) -> list[Finding]:
    return [finding for report in reports for finding in report.findings]


def render_text(reports: Sequence[ApiReport]) -> str:
    lines: list[str] = []
    for report in reports:
        if report.note is not None:
            lines.append(f"{report.api}: {report.note}")
            continue
        lines.append(f"{report.api}: {_summary(report.findings)}")
        for finding in report.findings:
            level = f"{finding.level.value} accepted" if finding.accepted else finding.level.value
            lines.append(f"  {level:<13} {finding.id}")
            lines.append(f"      {finding.message}")
            if finding.accepted:
                lines.append(f"      accepted: {finding.accepted}")
            for side, where in (("legacy", finding.legacy_pointer), ("migrated", finding.migrated_pointer)):
                if where:
                    lines.append(f"      {side + ':':<9} {where}")
    lines.append(f"total: {_summary(_all(reports))}")
    return "\n".join(lines) + "\n"


def render_json(reports: Sequence[ApiReport]) -> str:
    document = {
        "counts": counts(_all(reports)),
        "apis": {
            report.api: {
                "compared": report.note is None,
                "note": report.note,
                "counts": counts(report.findings),
                "findings": [finding.as_dict() for finding in report.findings],
            }
            for report in reports
        },
    }
    return json.dumps(document, indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(reports: Sequence[ApiReport]) -> str:
    lines = [f"## Contract diff: {_summary(_all(reports))}", ""]
    for report in reports:
        lines.append(f"### {report.api}")
        lines.append("")
        if report.note is not None:
            lines.extend([f"_{report.note}_", ""])
            continue
        if not report.findings:
            lines.extend(["No changes a client would see.", ""])
            continue
        lines.extend([_summary(report.findings), "", "| Level | Check | Change | Where |", "| --- | --- | --- | --- |"])
        for finding in report.findings:
            level = f"~~{finding.level.value}~~ accepted" if finding.accepted else f"**{finding.level.value}**"
            change = finding.message + (f" — accepted: {finding.accepted}" if finding.accepted else "")
            where = "<br>".join(
                f"{side}: `{pointer}`"
                for side, pointer in (("legacy", finding.legacy_pointer), ("migrated", finding.migrated_pointer))
                if pointer
            )
            lines.append(f"| {level} | `{finding.id}` | {_cell(change)} | {_cell(where)} |")
        lines.append("")
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[Sequence[ApiReport]], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
