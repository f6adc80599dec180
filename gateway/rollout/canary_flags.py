"""The fields of an entry in mode `canary`, and what a canary route is served with.

batches:
  mode: canary
  percent: 10                  # share served by the router, 0-100, two decimals
  sticky: header:x-user-id     # header:NAME | client | none (default none)
  rollback: {max_5xx_ratio: 2.0, max_p99_ratio: 1.5, min_requests: 50, window_s: 60}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gateway.rollout.buckets import BUCKETS

STICKY_KINDS = ("header:NAME", "client", "none")


def _sticky(value: str) -> str:
    if value in ("client", "none"):
        return value
    kind, _, name = value.partition(":")
    if kind == "header" and name.strip():
        # Header names arrive lower-cased from the ASGI server.
        return f"header:{name.strip().lower()}"
    raise ValueError(f"unknown sticky kind {value!r}; use one of {', '.join(STICKY_KINDS)}")


def _two_decimals(percent: float) -> float:
    if abs(percent * 100 - round(percent * 100)) > 1e-9:
        raise ValueError(f"percent {percent} has more than two decimals; the split is in steps of 0.01 %")
    return percent


Sticky = Annotated[str, AfterValidator(_sticky)]
Percent = Annotated[float, Field(ge=0, le=100), AfterValidator(_two_decimals)]


class RollbackFlags(BaseModel):
    """When the router of a canary route is rolled back, compared with legacy on the same route.

    ::

        RollbackFlags(max_5xx_ratio=2.0)                     # 5xx rule only, defaults for the rest
        RollbackFlags(max_p99_ratio=1.5, min_requests=200, window_s=120)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Below 1 the router would be rolled back for doing as well as legacy.
    max_5xx_ratio: float | None = Field(
        default=None, ge=1, description="Roll back when the router's 5xx rate is above this times legacy's (and 1 %)."
    )
    max_p99_ratio: float | None = Field(
        default=None, ge=1, description="Roll back when the router's p99 is above this times legacy's."
    )
    min_requests: int = Field(
        default=50, ge=1, description="Requests the router serves in the window before a verdict."
    )
    window_s: float = Field(default=60.0, gt=0, description="Seconds of the sliding window the rules look at.")


@dataclass(frozen=True)
class Canary:
    """A canary route's split, stickiness and rollback rules, and the identity of its API's entry."""

    percent: float
    sticky: str
    rollback: RollbackFlags | None
    entry: str
    """A digest of the API's entry in the flag file: a rollback holds while the entry is unchanged."""

    @property
    def threshold(self) -> int:
        """Buckets below this are served by the router."""
        return round(self.percent * BUCKETS / 100)
