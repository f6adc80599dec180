"""What a canary strategy shares with the rest of its worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway.rollout.shared import SharedRollbacks
from gateway.rollout.watch import CanaryWatch


@dataclass(frozen=True)
class RolloutContext:
    """The worker's canary windows, the rollbacks every worker follows, and the count of unsticky requests."""

    watch: CanaryWatch
    rollbacks: SharedRollbacks
    unsticky: Callable[[str, str, str], None]
    """Called with the API, the route template and the reason a request could not be sticky."""
