"""Reading a request body before FastAPI does, so that no way of failing to read it escapes the table.

FastAPI answers a body it cannot parse with ``{"detail": "There was an error parsing the
body"}`` (invalid UTF-8) and Starlette a bad form with ``{"detail": "Invalid multipart
data."}``: outside the validation shape both sides promise. Read here first, every such
failure is a `RequestValidationError` (400, the validation shape); FastAPI then finds the
body, the parsed JSON or the form already read.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope

from http_conventions.deferred_route import DeferredRoute
from http_conventions.errors import answer_failure
from http_conventions.json_body import parse_json_body

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class _ParsedRequest(Request):
    """A request whose body was read, and parsed as JSON, before the route handler ran."""

    def __init__(self, scope: Scope, receive: Receive, body: bytes, parsed: Any) -> None:
        super().__init__(scope, receive)
        self._read_body = body
        self._parsed = parsed

    async def body(self) -> bytes:
        return self._read_body

    async def json(self) -> Any:
        return self._parsed


def _is_json(content_type: str | None, strict: bool) -> bool:
    # The rule FastAPI applies before it parses a body as JSON.
    if not content_type:
        return not strict
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _disconnected() -> RequestValidationError:
    return RequestValidationError(
        [
            {
                "type": "body_incomplete",
                "loc": ("body",),
                "msg": "The client disconnected before the body ended",
                "input": {},
            }
        ]
    )


async def _read_form(request: Request) -> None:
    """Parse the form into the request's cache, where FastAPI finds it."""
    try:
        await request.form()
    except HTTPException as exc:
        # Starlette's answer to a malformed form; an outer limit's answer (413) passes as it is.
        if exc.status_code != 400:
            raise
        raise RequestValidationError(
            [{"type": "multipart_invalid", "loc": ("body",), "msg": str(exc.detail), "input": {}}]
        ) from exc
    except ClientDisconnect as exc:
        raise _disconnected() from exc
    except OSError as exc:
        # Spooling an uploaded file to disk can find the disk full: 507, not a parsing failure.
        raise answer_failure("body_error", exc) from exc


class BodyParsingRoute(DeferredRoute):
    """An `APIRoute` that reads its body first: parsing failures answer 400 in the validation shape.

    Its FastAPI state is built on first use (`DeferredRoute`).

    A large JSON body is parsed in slices that leave the event loop free (see `json_body`).
    Forms are read with Starlette's default limits (1000 fields and files, 1 MiB a field).
    """

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler
        if isinstance(self.body_field.field_info, params.Form):

            async def form_then_handle(request: Request) -> Response:
                await _read_form(request)
                return await handler(request)

            return form_then_handle
        strict = self.strict_content_type
        strict_json = strict.value if isinstance(strict, DefaultPlaceholder) else strict

        async def json_then_handle(request: Request) -> Response:
            if _is_json(request.headers.get("content-type"), bool(strict_json)):
                try:
                    raw = await request.body()
                except ClientDisconnect as exc:
                    raise _disconnected() from exc
                body, parsed = await self.read_json_body(raw)
                request = _ParsedRequest(request.scope, request.receive, body, parsed)
            return await handler(request)

        return json_then_handle

    async def read_json_body(self, body: bytes) -> tuple[bytes, Any]:
        """The body FastAPI is to see and its JSON value; FastAPI parses nothing of an empty body."""
        return body, (await parse_json_body(body) if body else None)
