"""The error table both sides of a migration answer with.

Exception tree an implementation may raise (besides the builtins in the table)::

    Exception
    ├── ValueError
    │   ├── ConflictError            -> 409
    │   └── ResourceNotFoundError    -> 404
    ├── OSError (errno ENOSPC, EDQUOT) -> 507, a full disk or quota
    ├── sqlite3.Error (SQLITE_FULL)  -> 507
    └── AuthenticationRequiredError  -> 401

`translate_exception` applies the table in the legacy server's order; `log_failure` logs
what it answered (a server error with its stack, a client's mistake in one line); the
handlers give the three body shapes clients have come to rely on:

* request validation: ``{"error": {"detail": {"errors": [{"loc", "msg", "type"}]}}}``
* an exception raised by an endpoint: ``{"detail": "<message>"}``
* an exception that escaped everything else: ``{"error": {"detail": "<message>"}}``
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger(__name__)

INTERNAL_ERROR_MESSAGE = "Internal server error: An unexpected error occurred."
# No space left on the device, or over the user's disk quota.
_STORAGE_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class ConflictError(ValueError):
    """The request conflicts with the current state of a resource (HTTP 409)."""


class ResourceNotFoundError(ValueError):
    """A named resource does not exist (HTTP 404)."""

    def __init__(self, kind: str, resource_id: str) -> None:
        super().__init__(f"{kind} '{resource_id}' not found")
        self.kind = kind
        self.resource_id = resource_id


class AuthenticationRequiredError(Exception):
    """The request needs an authenticated user (HTTP 401)."""


class ErrorDetail(BaseModel):
    """The body of an error raised by an endpoint."""

    detail: str | dict[str, Any] = Field(description="What went wrong.")


class ErrorEnvelope(BaseModel):
    """The body of a request validation error, or of an error no endpoint answered."""

    error: ErrorDetail = Field(description="The error, under `detail`.")


def _validation_detail(errors: Sequence[Any]) -> dict[str, Any]:
    return {"errors": [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]}


def is_storage_full(exc: BaseException) -> bool:
    """Whether `exc` says the disk (or the database on it) is full, or over its quota."""
    if isinstance(exc, OSError):
        return exc.errno in _STORAGE_FULL
    return isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def translate_exception(exc: BaseException) -> HTTPException:
    """Map an exception to the status and detail the legacy server answered with.

    The order matters: the not-found and conflict errors are `ValueError`s too.
    """
    if isinstance(exc, ValidationError | RequestValidationError):
        return HTTPException(status_code=400, detail=_validation_detail(exc.errors()))  # type: ignore[arg-type]
    if isinstance(exc, ConflictError):
        return HTTPException(status_code=409, detail=str(exc))
    if isinstance(exc, ResourceNotFoundError):
        return HTTPException(status_code=404, detail=str(exc))
    if isinstance(exc, ValueError):
        return HTTPException(status_code=400, detail=f"Invalid value: {exc}")
    if isinstance(exc, PermissionError):
        return HTTPException(status_code=403, detail=f"Permission denied: {exc}")
    if isinstance(exc, ConnectionError):
        return HTTPException(status_code=502, detail=str(exc))
    if isinstance(exc, TimeoutError):
        return HTTPException(status_code=504, detail=f"Operation timed out: {exc}")
    if isinstance(exc, NotImplementedError):
        return HTTPException(status_code=501, detail=f"Not implemented: {exc}")
    if isinstance(exc, AuthenticationRequiredError):
        return HTTPException(status_code=401, detail=f"Authentication required: {exc}")
    if is_storage_full(exc):
        # Not the message itself: an OSError's names a path on the server.
        return HTTPException(status_code=507, detail="Insufficient storage: no space left on the server's disk")
    status_code = getattr(exc, "status_code", None)
    # Provider SDK errors (an upstream 429, say) keep the status the provider chose.
    if isinstance(status_code, int) and not isinstance(status_code, bool):
        return HTTPException(status_code=status_code, detail=str(exc))
    return HTTPException(status_code=500, detail=INTERNAL_ERROR_MESSAGE)


def log_failure(event: str, exc: BaseException, status_code: int, **fields: Any) -> None:
    """Log an exception answered with `status_code`, once, at the level it deserves.

    A server error (5xx) is logged at error with the exception's type and stack: it is a
    bug or an outage someone must look into. A client's mistake (4xx) is logged at info
    in one line with the type and message, without a stack: nothing on the server failed.
    """
    fields.update(status=status_code, error_type=type(exc).__name__, error=str(exc))
    if status_code >= 500:
        log.error(event, exc_info=exc, **fields)
    else:
        log.info(event, **fields)


async def _enveloped_error_response(request: Request, exc: Exception) -> JSONResponse:
    http_exc = translate_exception(exc)
    if not isinstance(exc, RequestValidationError):
        log_failure("unhandled_error", exc, http_exc.status_code, path=request.url.path)
    return JSONResponse(status_code=http_exc.status_code, content={"error": {"detail": http_exc.detail}})


class _AnswerEscapedErrors:
    """Answer an exception that escaped the app, and stop it there.

    Starlette's outermost middleware answers with the `Exception` handler and then
    re-raises, and uvicorn closes the connection of an app that raised; the error
    must end with the answer instead. A response already under way is left to fail.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except HTTPException:
            # Raised by an outer middleware's receive (the body limit), which answers it.
            raise
        except Exception as exc:
            if response_started:
                raise
            response = await _enveloped_error_response(Request(scope, receive), exc)
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Answer request validation errors and escaped exceptions in the legacy shapes.

    `HTTPException` keeps FastAPI's own handler, which gives ``{"detail": ...}``. Call it
    after adding middleware: an error escaping middleware added later is still answered
    in the legacy shape, but the server then closes the connection.
    """
    app.add_exception_handler(RequestValidationError, _enveloped_error_response)
    app.add_exception_handler(Exception, _enveloped_error_response)
    app.add_middleware(_AnswerEscapedErrors)
