"""The results: one row per figure, each against its target, printed as a table and written as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_PATH = Path(__file__).parent / "results" / "latest.json"
"""Ignored by git: a run leaves the work tree clean (`python -m bench.readme_table` publishes one)."""


@dataclass(frozen=True)
class Target:
    """A bound on a figure: ``Target(">=", 0.97, "x")`` reads "at least 0.97x"."""

    op: str
    bound: float
    unit: str = ""

    def met(self, value: float) -> bool:
        checks: dict[str, Callable[[float, float], bool]] = {
            ">=": lambda v, b: v >= b,
            "<=": lambda v, b: v <= b,
            "==": lambda v, b: v == b,
        }
        return checks[self.op](value, self.bound)

    def __str__(self) -> str:
        symbol = {">=": "≥", "<=": "≤", "==": "="}[self.op]
        return f"{symbol} {_number(self.bound)}{self.unit}"


@dataclass(frozen=True)
class Row:
    """One figure: what it measures, its value, how it was made, and whether it meets its target.

    Rows without a target are context (the absolute times behind a ratio, say).
    """

    section: str
    name: str
    value: float
    unit: str
    detail: str = ""
    target: Target | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.target.met(self.value)

    @property
    def verdict(self) -> str:
        return {None: "", True: "PASS", False: "FAIL"}[self.passed]


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def value_text(row: Row) -> str:
    # Ratios sit close to their bounds (0.97x, 1.05x): three decimals keep a FAIL from reading as the bound.
    if row.unit == "×":
        return f"{row.value:.3f}×"
    return f"{_number(row.value)}{row.unit}"


def table(rows: Iterable[Row]) -> str:
    """The rows as a fixed-width text table, grouped by section."""
    header = ("section", "figure", "value", "target", "result", "detail")
    lines = [header]
    for row in rows:
        lines.append(
            (row.section, row.name, value_text(row), str(row.target) if row.target else "", row.verdict, row.detail)
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]

    def render(line: tuple[str, ...]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        return " | ".join([*cells, line[-1]]).rstrip()

    rule = "-+-".join("-" * width for width in widths) + "-+-" + "-" * 20
    return "\n".join([render(lines[0]), rule, *(render(line) for line in lines[1:])])


def summary(rows: Iterable[Row]) -> str:
    judged = [row for row in rows if row.target is not None]
    failed = [row for row in judged if not row.passed]
    text = f"{len(judged) - len(failed)} of {len(judged)} targets met"
    if failed:
        text += "; FAIL: " + ", ".join(f"{row.section}: {row.name}" for row in failed)
    return text


def write_json(rows: Iterable[Row], notes: Iterable[str], path: Path = RESULTS_PATH, **meta: Any) -> Path:
    """The same rows as `table`, with the raw samples behind each, as JSON."""
    rows = list(rows)
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        **meta,
        "summary": summary(rows),
        "table": table(rows),
        "notes": list(notes),
        "results": [
            {
                **{k: v for k, v in asdict(row).items() if k != "target"},
                "target": str(row.target) if row.target else None,
                "result": row.verdict or None,
            }
            for row in rows
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
