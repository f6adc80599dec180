"""Replay: a candidate's implementation calls answered with the outcomes the legacy side's calls got.

::

    replay = Replay(capture.calls())
    with active(replay):
        await migrated_app(scope, receive, send)
    replay.calls      # what the candidate called, with the outcome each got

The n-th call of a method gets the outcome of the n-th recorded call of that method, in
the shape the method gives it (awaitable, async iterator or plain value). The real
implementation is never called. A call with no recorded match raises `UnrecordedCall`,
and is kept in `calls`, so the comparison names it.
"""

from __future__ import annotations

import inspect
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from proof.calls.observer import arguments
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

    def call(self, method: str, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        queue = self._recorded.get(method)
        outcome: Outcome = queue.popleft().outcome if queue else Raised(UnrecordedCall(method))
        self.calls.append(Call(method, arguments(function, args, kwargs), outcome))
        if inspect.iscoroutinefunction(function):
            return _resolved(outcome)
        if inspect.isasyncgenfunction(function):
            return _stream(outcome)
        return _given(outcome)


def _given(outcome: Outcome) -> Any:
    if isinstance(outcome, Returned):
        return outcome.value
    if isinstance(outcome, Raised):
        raise outcome.error
    return _stream(outcome)


async def _resolved(outcome: Outcome) -> Any:
    return _given(outcome)


async def _stream(outcome: Outcome) -> AsyncIterator[Any]:
    if isinstance(outcome, Streamed):
        for item in outcome.items:
            yield item
        if outcome.error is not None:
            raise outcome.error
    else:
        # No stream was recorded for this call (an unrecorded call): it fails at its first step.
        yield _given(outcome)
