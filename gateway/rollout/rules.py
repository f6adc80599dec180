"""The rollback rules, as data: an ordered catalogue of entries with ids, each comparing the router with legacy.

A rule looks at both sides' figures over the window and, when the router is worse than its
threshold allows, returns the observed figures that say so. The README, the flag file's
`rollback` keys and the `rule` of a rollback all take their names from this catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.rollout.canary_flags import RollbackFlags
from gateway.rollout.window import Figures

MIN_5XX_RATIO = 0.01
"""A router's 5xx rate at or below 1 % never rolls it back, however clean legacy is."""

MIN_P99_ANSWERS = 100
"""Below 100 answers a side's nearest-rank p99 is its slowest answer: one descheduled request would roll a
router back (seen with 56 router answers, a single 18 ms pause against legacy's 5 ms)."""

Observed = dict[str, Any]


@dataclass(frozen=True)
class RollbackRule:
    """One rule: its id (the flag key that sets its threshold) and its check."""

    id: str
    description: str
    check: Callable[[Figures, Figures, float], Observed | None]
    """(router, legacy, threshold) -> the observed figures when the router breaks the rule, else None."""


def _server_errors(router: Figures, legacy: Figures, ratio: float) -> Observed | None:
    if router.error_ratio > MIN_5XX_RATIO and router.error_ratio > ratio * legacy.error_ratio:
        return {
            "router_5xx_ratio": round(router.error_ratio, 4),
            "legacy_5xx_ratio": round(legacy.error_ratio, 4),
            "router_requests": router.requests,
            "legacy_requests": legacy.requests,
        }
    return None


def _p99(router: Figures, legacy: Figures, ratio: float) -> Observed | None:
    if router.p99_ms is None or legacy.p99_ms is None or min(router.requests, legacy.requests) < MIN_P99_ANSWERS:
        return None
    if router.p99_ms > ratio * legacy.p99_ms:
        return {
            "router_p99_ms": round(router.p99_ms, 3),
            "legacy_p99_ms": round(legacy.p99_ms, 3),
            "router_requests": router.requests,
            "legacy_requests": legacy.requests,
        }
    return None


RULES: tuple[RollbackRule, ...] = (
    RollbackRule("max_5xx_ratio", "the router's 5xx rate above this times legacy's, and above 1 %", _server_errors),
    RollbackRule(
        "max_p99_ratio", "the router's p99 latency above this times legacy's, both over 100 answers or more", _p99
    ),
)


def broken_rule(flags: RollbackFlags, router: Figures, legacy: Figures) -> tuple[str, Observed] | None:
    """The first rule the router breaks once it has served `min_requests` in the window, with what was observed."""
    if router.requests < flags.min_requests:
        return None
    for rule in RULES:
        threshold = getattr(flags, rule.id)
        if threshold is not None and (observed := rule.check(router, legacy, threshold)) is not None:
            return rule.id, {**observed, rule.id: threshold}
    return None
