"""Sharing the event loop fairly while one request does a long run of small steps.

An `async for` over items that are ready never suspends, so a stream of 200,000 events or a
body parsed chunk by chunk would hold the loop for seconds: every other client waits. A
`LoopBudget` gives the loop a turn whenever the steps since the last turn have taken longer
than the budget, and costs a clock reading otherwise.
"""

from __future__ import annotations

import time

import anyio

SLICE_SECONDS = 0.005
"""How long a run of steps may hold the loop before it gives other tasks a turn."""


class LoopBudget:
    """Call `await budget.spend()` after each step of a long computation::

    budget = LoopBudget()
    for message in messages:
        words += len(message.split())
        await budget.spend()
    """

    def __init__(self, slice_seconds: float = SLICE_SECONDS) -> None:
        self.slice_seconds = slice_seconds
        self._slice_started = time.perf_counter()

    async def spend(self) -> None:
        """Give the loop a turn if this slice of work has run out of time."""
        if time.perf_counter() - self._slice_started >= self.slice_seconds:
            await anyio.sleep(0)
            self._slice_started = time.perf_counter()
