"""What became of each shadowed request: the result, its log line and the per-route counts in status.

A shadowed request ends as `match`, `mismatch` (with its diff) or `skipped` with a reason;
nothing is dropped silently. Each result writes one `event="shadow"` line and counts in
the status of its route and in `gateway_shadow_total`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import structlog

log = structlog.get_logger("gateway.shadow")

Result = Literal["match", "mismatch", "skipped"]
SkipReason = Literal[
    "sampled_out", "body_too_large", "queue_full", "client_disconnected", "timeout", "comparison_failed", "shutdown"
]
"""Why a request was not compared: not in the sample; a body over the shadow limit; the worker's queue
full; the client gone before legacy's answer was complete; the candidate still running at the timeout;
the comparison itself failed (a bug, logged with its traceback); the worker stopping with it queued."""


@dataclass(frozen=True)
class ShadowedRoute:
    """The route a shadowed request belongs to, as logs, status and metrics name it."""

    api: str
    method: str
    template: str

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True)
class ShadowResult:
    """One shadowed request's end, with both sides' timings where they ran (as Scientist reports them)."""

    route: ShadowedRoute
    request_id: str
    result: Result
    reason: SkipReason | None = None
    diff: str | None = None
    legacy_ms: float | None = None
    candidate_ms: float | None = None


def write_shadow_line(result: ShadowResult) -> None:
    """The `shadow` log line of a result (the request's own bound context is gone by then: named here).

    `backend` is legacy's, whose answer the client got, whichever task writes the line.
    """
    log.info(
        "shadow",
        backend="legacy",
        request_id=result.request_id,
        api=result.route.api,
        route=result.route.template,
        method=result.route.method,
        result=result.result,
        reason=result.reason,
        diff=result.diff,
        legacy_ms=result.legacy_ms,
        candidate_ms=result.candidate_ms,
    )


@dataclass
class _RouteCounts:
    matched: int = 0
    mismatched: int = 0
    skipped: int = 0
    last_mismatch: dict[str, Any] | None = None


class ShadowStats:
    """Per route key: how many shadowed requests were compared, matched, mismatched, skipped; the last mismatch."""

    def __init__(self) -> None:
        self._routes: dict[str, _RouteCounts] = {}

    def record(self, result: ShadowResult) -> None:
        counts = self._routes.setdefault(result.route.key, _RouteCounts())
        if result.result == "match":
            counts.matched += 1
        elif result.result == "mismatch":
            counts.mismatched += 1
            at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            counts.last_mismatch = {"request_id": result.request_id, "at": at, "diff": result.diff}
        else:
            counts.skipped += 1

    def has(self, route_key: str) -> bool:
        return route_key in self._routes

    def summary(self, route_key: str) -> dict[str, Any]:
        """The route's `shadow` block of the status endpoint."""
        counts = self._routes.get(route_key, _RouteCounts())
        return {
            "compared": counts.matched + counts.mismatched,
            "matched": counts.matched,
            "mismatched": counts.mismatched,
            "skipped": counts.skipped,
            "last_mismatch": counts.last_mismatch,
        }
