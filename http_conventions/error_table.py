"""The error table both sides of a migration answer with, as data.

`ERROR_TABLE` is an ordered tuple of `ErrorEntry`: the first entry that matches an
exception answers it. The order is the legacy server's and it matters: the not-found and
conflict errors are `ValueError`s too, and an exception's own `status_code` counts only
after every class. A table with a team's own entries is ``(*team_entries, *ERROR_TABLE)``;
`translate_exception` takes it.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from http_conventions.exceptions import AuthenticationRequiredError, ConflictError, ResourceNotFoundError

INTERNAL_ERROR_MESSAGE = "Internal server error: An unexpected error occurred."
STORAGE_FULL_MESSAGE = "Insufficient storage: no space left on the server's disk"
# No space left on the device, or over the user's disk quota.
_STORAGE_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})

Raised = type[BaseException] | tuple[type[BaseException], ...] | Callable[[BaseException], bool]


@dataclass(frozen=True)
class ErrorEntry:
    """One row of the error table: which exceptions it answers, with which status and detail.

    `raised` is an exception class (or a tuple of them), or a predicate on the exception.
    `status` is a status code, or a function of the exception. `detail` is a format string
    of the exception (``"Invalid value: {exc}"``; no ``{exc}`` for a fixed text), or a
    function of it for a structured detail::

        ErrorEntry("quota", QuotaExceeded, 429, "Quota exceeded: {exc}")
        ErrorEntry("upstream-status", has_status_code, lambda exc: exc.status_code)
    """

    id: str
    raised: Raised
    status: int | Callable[[BaseException], int]
    detail: str | Callable[[BaseException], Any] = "{exc}"
    matches: Callable[[BaseException], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        raised = self.raised
        if isinstance(raised, type | tuple):
            # Decided once, not per exception: the table is walked on every error.
            object.__setattr__(self, "matches", lambda exc: isinstance(exc, raised))
        else:
            object.__setattr__(self, "matches", raised)

    def answer(self, exc: BaseException) -> HTTPException:
        """The status and detail this entry answers `exc` with."""
        status = self.status if isinstance(self.status, int) else self.status(exc)
        detail = self.detail.format(exc=exc) if isinstance(self.detail, str) else self.detail(exc)
        return HTTPException(status_code=status, detail=detail)


def validation_detail(exc: BaseException) -> dict[str, Any]:
    """The ``{"errors": [{"loc", "msg", "type"}]}`` detail of a validation error."""
    assert isinstance(exc, ValidationError | RequestValidationError)
    return {"errors": [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]}


def is_storage_full(exc: BaseException) -> bool:
    """Whether `exc` says the disk (or the database on it) is full, or over its quota."""
    if isinstance(exc, OSError):
        return exc.errno in _STORAGE_FULL
    return isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def has_status_code(exc: BaseException) -> bool:
    """Whether `exc` carries an integer `status_code` (a provider SDK's upstream 429, say)."""
    status_code = getattr(exc, "status_code", None)
    return isinstance(status_code, int) and not isinstance(status_code, bool)


def _own_status(exc: BaseException) -> int:
    status_code: int = exc.status_code  # type: ignore[attr-defined]  # has_status_code matched it
    return status_code


ERROR_TABLE: tuple[ErrorEntry, ...] = (
    ErrorEntry("validation", (ValidationError, RequestValidationError), 400, validation_detail),
    ErrorEntry("conflict", ConflictError, 409),
    ErrorEntry("not-found", ResourceNotFoundError, 404),
    ErrorEntry("invalid-value", ValueError, 400, "Invalid value: {exc}"),
    ErrorEntry("permission-denied", PermissionError, 403, "Permission denied: {exc}"),
    ErrorEntry("connection", ConnectionError, 502),
    ErrorEntry("timeout", TimeoutError, 504, "Operation timed out: {exc}"),
    ErrorEntry("not-implemented", NotImplementedError, 501, "Not implemented: {exc}"),
    ErrorEntry("authentication-required", AuthenticationRequiredError, 401, "Authentication required: {exc}"),
    # Not the message itself: an OSError's names a path on the server.
    ErrorEntry("storage-full", is_storage_full, 507, STORAGE_FULL_MESSAGE),
    # Provider SDK errors keep the status the provider chose.
    ErrorEntry("status-code", has_status_code, _own_status),
    ErrorEntry("internal", BaseException, 500, INTERNAL_ERROR_MESSAGE),
)
"""The legacy server's table, in its order; the last entry answers anything."""


def translate_exception(exc: BaseException, table: Sequence[ErrorEntry] = ERROR_TABLE) -> HTTPException:
    """The status and detail of the first entry of `table` that matches `exc`.

    A table should end with an entry that matches anything, as `ERROR_TABLE` does.
    """
    for entry in table:
        if entry.matches(exc):
            return entry.answer(exc)
    return ERROR_TABLE[-1].answer(exc)
