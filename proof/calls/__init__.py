"""Implementation calls per request: observed, captured with their outcomes, replayed to a candidate."""

from proof.calls.capture import Capture
from proof.calls.observer import CallObserver, ObservedMethod, active, observe
from proof.calls.outcome import Call, Outcome, Raised, Returned, Streamed
from proof.calls.replay import Replay, UnrecordedCall

__all__ = [
    "Call",
    "CallObserver",
    "Capture",
    "ObservedMethod",
    "Outcome",
    "Raised",
    "Replay",
    "Returned",
    "Streamed",
    "UnrecordedCall",
    "active",
    "observe",
]
