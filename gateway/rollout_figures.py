"""What the rollout page and `gateway top` both derive from a `/_gateway/status` answer.

The sides in the answer's order, each API's traffic share per side, a shadow match rate: one
reckoning, so the browser and the terminal never disagree on a figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def sides(status: Mapping[str, Any]) -> list[str]:
    """The sides as status names them (the keys of a route's `stats`), in its order."""
    for api in status["apis"].values():
        for route in api["routes"].values():
            return list(route["stats"])
    return []


@dataclass(frozen=True)
class Share:
    """One side's part of an API's requests; `start` is the percentage of the sides before it (where its bar begins)."""

    side: str
    requests: int
    percent: float
    start: float


@dataclass(frozen=True)
class Traffic:
    """An API's requests per side, every route together."""

    shares: tuple[Share, ...]
    total: int

    @property
    def words(self) -> str:
        """`legacy 75% (30), migrated 25% (10)`."""
        return ", ".join(f"{share.side} {share.percent:.0f}% ({share.requests})" for share in self.shares)


def traffic(routes: Mapping[str, Any], sides: list[str]) -> Traffic:
    """The traffic share per side of an API's `routes` (as status shows them)."""
    counts = [sum(route["stats"][side]["requests"] for route in routes.values()) for side in sides]
    total = sum(counts)
    shares, start = [], 0.0
    for side, requests in zip(sides, counts, strict=True):
        percent = 100 * requests / total if total else 0.0
        shares.append(Share(side, requests, percent, start))
        start += percent
    return Traffic(tuple(shares), total)


def match_rate(shadow: Mapping[str, Any]) -> float | None:
    """The percentage of compared requests that matched; None before the first comparison."""
    return 100 * shadow["matched"] / shadow["compared"] if shadow["compared"] else None
