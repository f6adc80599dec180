"""Exchanges and the one comparison of two of them, shared by shadow traffic, verify and the parity suite."""

from proof.compare.diff import DIFF_LIMIT, Diff, Finding, diff
from proof.compare.exchange import (
    DEFAULT_BODY_LIMIT,
    Exchange,
    ExchangeRequest,
    ExchangeResponse,
    Tap,
    replayed,
    respond,
)

__all__ = [
    "DEFAULT_BODY_LIMIT",
    "DIFF_LIMIT",
    "Diff",
    "Exchange",
    "ExchangeRequest",
    "ExchangeResponse",
    "Finding",
    "Tap",
    "diff",
    "replayed",
    "respond",
]
