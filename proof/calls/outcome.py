"""What an implementation call ended with, and the call itself, as values.

An outcome keeps the very objects the implementation gave (a replayed call hands them to
the candidate unchanged, so generated ids and timestamps are equal by construction);
`as_data()` writes them down in the recording format of SPEC 11.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from proof.calls.plain import Costly, dumped, plain, plain_exception


@dataclass(frozen=True)
class Returned:
    """The call returned `value`."""

    value: Any

    def as_data(self, costly: Callable[[Costly], Any] = dumped) -> dict[str, Any]:
        return {"returned": plain(self.value, costly)}


@dataclass(frozen=True)
class Raised:
    """The call raised `error` before returning anything."""

    error: BaseException

    def as_data(self, costly: Callable[[Costly], Any] = dumped) -> dict[str, Any]:
        return {"raised": plain_exception(self.error, costly)}


@dataclass(frozen=True)
class Streamed:
    """The call gave an async iterator, which yielded `items` and then ended with `error`, if any."""

    items: tuple[Any, ...]
    error: BaseException | None = None

    def as_data(self, costly: Callable[[Costly], Any] = dumped) -> dict[str, Any]:
        data: dict[str, Any] = {"streamed": [plain(item, costly) for item in self.items]}
        if self.error is not None:
            data["raised"] = plain_exception(self.error, costly)
        return data


Outcome = Returned | Raised | Streamed


@dataclass(frozen=True)
class Call:
    """One call of an implementation method: its name, its arguments by parameter name (plain data), its outcome."""

    method: str
    args: Mapping[str, Any]
    outcome: Outcome = field(compare=False)
    awaited: bool = field(default=False, compare=False)
    """The call gave an awaitable, which gave the outcome: a replayed call must too."""
