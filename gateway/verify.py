"""`gateway verify`'s run: every recorded exchange replayed against one side with its recorded outcomes, and diffed.

One engine with shadow traffic: `proof.replayed` runs the side's app on the recorded
request, its implementation calls answered from the recording (the implementation is
never called), and `proof.diff` compares the result with the recorded exchange. Lines are
read one at a time, so a corpus larger than memory streams; only mismatches are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from starlette.types import ASGIApp

from gateway.exceptions import did_you_mean
from gateway.modes import Side
from proof import diff, replayed
from proof.record import CorpusError, RecordedLine, Unverifiable, read_lines, rebuilt


@dataclass
class RouteCounts:
    """What one route's exchanges gave."""

    api: str
    route: str
    matched: int = 0
    mismatched: int = 0
    unverifiable: int = 0

    @property
    def total(self) -> int:
        return self.matched + self.mismatched + self.unverifiable


@dataclass(frozen=True)
class Problem:
    """A mismatch (its diff) or an unverifiable exchange (its reason), at its file and line."""

    where: str
    api: str
    route: str
    kind: str
    text: str


@dataclass
class VerifyReport:
    """Counts by route, in the order routes were first met, and each problem."""

    side: Side
    routes: dict[tuple[str, str], RouteCounts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def counts(self, api: str, route: str) -> RouteCounts:
        return self.routes.setdefault((api, route), RouteCounts(api, route))


@dataclass(frozen=True)
class VerifiedApi:
    """What a recorded exchange of an API is replayed against: the side's app and the implementation it binds."""

    app: ASGIApp | None
    implementation: object


async def verify(
    paths: Iterable[Path], apis: Mapping[str, VerifiedApi], side: Side, only: frozenset[str] | None = None
) -> VerifyReport:
    """Replay every exchange of `paths` (of the APIs in `only`, if given) against `side`; `CorpusError` on bad input."""
    report = VerifyReport(side)
    for path in paths:
        for line in read_lines(path):
            api = str(line.data["api"])
            if api not in apis:
                raise CorpusError(f"{line.where}: unknown API {api!r}{did_you_mean(api, apis)}")
            if only is None or api in only:
                await _verify_line(line, apis[api], report)
    return report


async def _verify_line(line: RecordedLine, api: VerifiedApi, report: VerifyReport) -> None:
    name, route = str(line.data["api"]), str(line.data["route"])
    counts = report.counts(name, route)
    try:
        if api.app is None:
            raise Unverifiable(f"API {name!r} has no {report.side} side")
        recorded = rebuilt(line.data, api.implementation)
    except Unverifiable as exc:
        counts.unverifiable += 1
        report.problems.append(Problem(line.where, name, route, "unverifiable", str(exc)))
        return
    found = diff(recorded, await replayed(api.app, recorded), names=("recorded", report.side))
    if found.matched:
        counts.matched += 1
    else:
        counts.mismatched += 1
        report.problems.append(Problem(line.where, name, route, "mismatch", found.text()))
