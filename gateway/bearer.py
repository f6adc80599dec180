"""Bearer credentials: reading `Authorization: Bearer <token>` and refusing a request.

A refusal answers in the old server's shape, ``{"error": {"message": ...}}``, which the
official `openai` client raises as `AuthenticationError` (401) or
`PermissionDeniedError` (403), with the `WWW-Authenticate` challenge of RFC 6750.
"""

from __future__ import annotations

import re

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

_AUTHORIZATION = b"authorization"
# RFC 6750's b64token: anything else could not have been issued as a bearer token.
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
TOKEN_CHARACTERS = "1 or more of A-Z a-z 0-9 - . _ ~ + / then any '=' (RFC 6750)"


def is_bearer_token(text: str) -> bool:
    """Whether a client could send `text` as a bearer token."""
    return _TOKEN.fullmatch(text) is not None


class Refusal(Exception):
    """Why a request is refused: the status, the message and the challenge to answer with."""

    def __init__(self, status: int, message: str, challenge: str = "Bearer") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.challenge = challenge

    async def send(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {"error": {"message": self.message}},
            status_code=self.status,
            headers={"WWW-Authenticate": self.challenge} if self.challenge else None,
        )
        await response(scope, receive, send)


def _invalid(problem: str) -> Refusal:
    return Refusal(401, f"Invalid Authorization header: {problem}", 'Bearer error="invalid_request"')


def bearer_token(scope: Scope) -> str:
    """The request's bearer token; `Refusal` (401) if it has none or a malformed one."""
    values: list[bytes] = [value for name, value in scope["headers"] if name == _AUTHORIZATION]
    if not values:
        # RFC 6750: a request with no credentials at all gets a challenge without an error code.
        raise Refusal(401, "Authentication required: send 'Authorization: Bearer <token>'.")
    if len(values) > 1:
        raise _invalid("send one Authorization header, not several.")
    scheme, _, token = values[0].decode("latin-1").strip().partition(" ")
    if scheme.lower() != "bearer":
        raise _invalid("expected 'Bearer <token>'.")
    token = token.strip(" ")
    if not token:
        raise _invalid("the bearer token is empty.")
    if not is_bearer_token(token):
        raise _invalid("the bearer token has characters a token cannot have.")
    return token


def unknown_token() -> Refusal:
    return Refusal(401, "Invalid token: the server does not know it.", 'Bearer error="invalid_token"')


def missing_scope(scope: str) -> Refusal:
    return Refusal(
        403,
        f"Access denied: this route needs the scope '{scope}'.",
        f'Bearer error="insufficient_scope", scope="{scope}"',
    )


def provider_failed() -> Refusal:
    return Refusal(
        503, "Authentication is unavailable: the authentication provider failed; the server log has the details.", ""
    )
