"""What became of each shadowed request: the result and its log line.

A shadowed request ends as `match`, `mismatch` (with its diff) or `skipped` with a reason;
nothing is dropped silently. Each result writes one `event="shadow"` line and counts in
`gateway_shadow_total`, which the status of its route reads (`gateway.shadow_status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
