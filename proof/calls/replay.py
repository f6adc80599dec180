"""Replay: a candidate's implementation calls answered with the outcomes the legacy side's calls got.

::

    replay = Replay(capture.calls())
    with active(replay):
        await migrated_app(scope, receive, send)
    replay.calls      # what the candidate called, with the outcome each got

The n-th call of a method gets the outcome of the n-th recorded call of that method, in
the shape the recorded call gave it (awaitable, async iterator or plain value). The real
implementation is never called. A call with no recorded match raises `UnrecordedCall`,
and is kept in `calls`, so the comparison names it.
"""

from __future__ import annotations

import inspect
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from proof.calls.observer import ObservedMethod
from proof.calls.outcome import Call, Outcome, Raised, Returned, Streamed


class UnrecordedCall(Exception):
    """The candidate called a method more often than the legacy side did: there is no outcome to give it."""

    def __init__(self, method: str) -> None:
        super().__init__(f"no recorded outcome for a call of {method!r}: the legacy side made no such call")
        self.method = method


class Replay:
    """A `CallObserver` that answers each call from `recorded`, matched in call order by method name."""

    def __init__(self, recorded: Iterable[Call]) -> None:
        self._recorded: defaultdict[str, deque[Call]] = defaultdict(deque)
        for call in recorded:
            self._recorded[call.method].append(call)
        self.calls: list[Call] = []

    def call(self, method: ObservedMethod, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        queue = self._recorded.get(method.name)
        if queue:
            recorded = queue.popleft()
            outcome, awaited = recorded.outcome, recorded.awaited
        else:
            unwrapped = inspect.unwrap(method.function)
            outcome, awaited = Raised(UnrecordedCall(method.name)), inspect.iscoroutinefunction(unwrapped)
        self.calls.append(Call(method.name, method.arguments(args, kwargs), outcome, awaited))
        return _resolved(outcome) if awaited else _given(outcome)


def _given(outcome: Outcome) -> Any:
    if isinstance(outcome, Returned):
        return outcome.value
    if isinstance(outcome, Raised):
        raise outcome.error
    return _stream(outcome)


async def _resolved(outcome: Outcome) -> Any:
    return _given(outcome)


async def _stream(outcome: Streamed) -> AsyncIterator[Any]:
    for item in outcome.items:
        yield item
    if outcome.error is not None:
        raise outcome.error
