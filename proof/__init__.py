"""The proof tools: what shows that a router answers like its legacy twin.

A package beside `gateway`, imported by it and importing nothing of it (nor of
`legacy_adapter` or `apis`): shadow traffic, recording and `gateway verify`, and the
parity suite all prove parity with the same capture, replay and comparison.

* `calls`: observing an implementation's calls per request (`observe`, `Capture`), and
  answering a candidate's calls with recorded outcomes (`Replay`).
* `compare`: the exchange of one request (`Exchange`, `Tap`, `respond`) and the one
  comparison of two exchanges (`diff`).
"""

from proof.calls import Call, Capture, Raised, Replay, Returned, Streamed, UnrecordedCall, active, observe
from proof.compare import (
    DEFAULT_BODY_LIMIT,
    DIFF_LIMIT,
    Diff,
    Exchange,
    ExchangeRequest,
    ExchangeResponse,
    Finding,
    Tap,
    diff,
    replayed,
    respond,
)

__all__ = [
    "DEFAULT_BODY_LIMIT",
    "DIFF_LIMIT",
    "Call",
    "Capture",
    "Diff",
    "Exchange",
    "ExchangeRequest",
    "ExchangeResponse",
    "Finding",
    "Raised",
    "Replay",
    "Returned",
    "Streamed",
    "Tap",
    "UnrecordedCall",
    "active",
    "diff",
    "observe",
    "replayed",
    "respond",
]
