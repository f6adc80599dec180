"""Capture: the legacy side's implementation calls of one request, with what each ended with.

::

    capture = Capture()
    with active(capture):
        await legacy_app(scope, receive, send)
    capture.calls()   # [Call(method="get_model", args={"model_id": "echo"}, outcome=Returned(...))]

The implementation runs for real; the capture keeps its arguments (as they were when the
call was made, made plain data only when read: see `Arguments`) and its outcome (the very
objects returned, raised or streamed).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import AsyncIterator, Mapping
from typing import Any

from proof.calls.observer import ObservedMethod, unobserved
from proof.calls.outcome import Call, Outcome, Raised, Returned, Streamed


class _Pending:
    __slots__ = ("method", "args", "outcome", "awaited")

    def __init__(self, method: str, args: Mapping[str, Any]) -> None:
        self.method, self.args = method, args
        self.outcome: Outcome | None = None
        self.awaited = False


_values: set[type] = set()
"""Classes of results seen to be neither awaitables nor async iterators (models, mostly): known again by
identity, as the abstract-class checks cost more than the rest of a capture."""


class Capture:
    """A `CallObserver` that runs each call and writes down its arguments and outcome."""

    def __init__(self) -> None:
        self._calls: list[_Pending] = []

    def calls(self) -> list[Call]:
        """The calls that have ended so far, in the order they were made."""
        return [Call(p.method, p.args, p.outcome, p.awaited) for p in self._calls if p.outcome is not None]

    @property
    def unfinished(self) -> list[str]:
        """Methods called whose outcome is not known yet (still running, or cancelled)."""
        return [p.method for p in self._calls if p.outcome is None]

    def call(self, method: ObservedMethod, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        pending = _Pending(method.name, method.arguments(args, kwargs))
        self._calls.append(pending)
        try:
            if method.is_coroutine:
                # Making the coroutine runs none of its code: only awaiting it needs its inner calls left alone.
                return self._awaited(pending, method.function(*args, **kwargs))
            with unobserved():
                result = method.function(*args, **kwargs)
        except Exception as exc:
            pending.outcome = Raised(exc)
            raise
        return self._result(pending, result)

    def _result(self, pending: _Pending, result: Any) -> Any:
        kind = type(result)
        if kind not in _values:
            if inspect.isawaitable(result):
                return self._awaited(pending, result)
            if isinstance(result, AsyncIterator):
                return self._streamed(pending, result)
            # A generator is awaitable or not by its code, not its class.
            if kind is not types.GeneratorType:
                _values.add(kind)
        pending.outcome = Returned(result)
        return result

    async def _awaited(self, pending: _Pending, awaitable: Any) -> Any:
        pending.awaited = True
        try:
            with unobserved():
                result = await awaitable
        except Exception as exc:
            pending.outcome = Raised(exc)
            raise
        return self._result(pending, result)

    async def _streamed(self, pending: _Pending, items: AsyncIterator[Any]) -> AsyncIterator[Any]:
        given: list[Any] = []
        try:
            while True:
                # Set and reset within one step: the consumer's context is never left changed at a yield.
                try:
                    with unobserved():
                        item = await anext(items)
                except StopAsyncIteration:
                    pending.outcome = Streamed(tuple(given))
                    return
                except Exception as exc:
                    pending.outcome = Streamed(tuple(given), exc)
                    raise
                given.append(item)
                yield item
        finally:
            aclose = getattr(items, "aclose", None)
            if aclose is not None:
                await aclose()
