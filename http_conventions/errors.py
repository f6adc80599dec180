"""How errors are answered and logged, in the three body shapes clients have come to rely on.

Which status and detail an exception gets is the error table (`http_conventions.error_table`),
with the team's own entries first (`http_conventions.conventions`);
`answer_failure` applies it and logs what it answered once (a server error with its stack,
a client's mistake in one line). The handlers give the body shapes:

* request validation: ``{"error": {"detail": {"errors": [{"loc", "msg", "type"}]}}}``
* an exception raised by an endpoint: ``{"detail": "<message>"}``
* an exception that escaped everything else: ``{"error": {"detail": "<message>"}}``
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from http_conventions.conventions import current_conventions
from http_conventions.error_table import translate_exception

log = structlog.get_logger(__name__)


class ErrorDetail(BaseModel):
    """The body of an error raised by an endpoint."""

    detail: str | dict[str, Any] = Field(description="What went wrong.")


class ErrorEnvelope(BaseModel):
    """The body of a request validation error, or of an error no endpoint answered."""

    error: ErrorDetail = Field(description="The error, under `detail`.")


def answer_failure(event: str, exc: BaseException, **fields: Any) -> HTTPException:
    """The answer the error table gives `exc`, logged once as `event` at the level it deserves.

    A server error (5xx) is logged at error with the exception's type and stack: it is a
    bug or an outage someone must look into. A client's mistake (4xx) is logged at info
    in one line with the type and message, without a stack: nothing on the server failed.
    """
    http_exc = translate_exception(exc, current_conventions().error_table)
    fields.update(status=http_exc.status_code, error_type=type(exc).__name__, error=str(exc))
    if http_exc.status_code >= 500:
        log.error(event, exc_info=exc, **fields)
    else:
        log.info(event, **fields)
    return http_exc


async def _enveloped_error_response(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, RequestValidationError):
        # A client's malformed request, answered in its body; nothing to log.
        http_exc = translate_exception(exc)
    else:
        http_exc = answer_failure("unhandled_error", exc, path=request.url.path)
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
