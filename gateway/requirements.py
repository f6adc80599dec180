"""Who may call a route, as each side declares it.

The gateway reads the requirement from the apps themselves, as it reads their templates:
the OpenAPI security requirement a route carries in `openapi_extra` (how
`http_conventions.public()` and `requires_scope()` declare it, and how the legacy adapter
declares a `@webmethod` record's `require_authentication` and `required_scope`). A route
that declares nothing needs an authenticated user, as a `@webmethod` route does by
default, so forgetting a declaration never opens a route.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gateway.exceptions import AuthDeclarationError


@dataclass(frozen=True)
class Requirement:
    """What a caller needs: nothing (public), a known token, or a token with `scope`."""

    authenticated: bool = True
    scope: str | None = None

    def __str__(self) -> str:
        if not self.authenticated:
            return "public"
        return f"scope {self.scope}" if self.scope else "authenticated"


PUBLIC = Requirement(authenticated=False)
AUTHENTICATED = Requirement()

_FORMS = "[] (public), [{SCHEME: []}] (authenticated) or [{SCHEME: [SCOPE]}]"
# RFC 6750's scope-token: it is quoted into the WWW-Authenticate challenge of a 403.
_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def declared_requirement(route: Any, where: str) -> Requirement:
    """The requirement an app's route declares; `where` names it in errors."""
    extra = getattr(route, "openapi_extra", None) or {}
    if "security" not in extra:
        return AUTHENTICATED
    security = extra["security"]
    if security == []:
        return PUBLIC
    if isinstance(security, list) and len(security) == 1 and isinstance(security[0], dict) and len(security[0]) == 1:
        (scopes,) = security[0].values()
        if scopes == []:
            return AUTHENTICATED
        if isinstance(scopes, list) and len(scopes) == 1 and isinstance(scopes[0], str) and _SCOPE.fullmatch(scopes[0]):
            return Requirement(scope=scopes[0])
    raise AuthDeclarationError(
        f"{where}: security {security!r} is not a requirement the gateway can enforce; declare {_FORMS}"
    )


def differ(legacy: Requirement | None, migrated: Requirement | None) -> bool:
    """Whether both sides implement a route and require different things."""
    return legacy is not None and migrated is not None and legacy != migrated


def describe(legacy: Requirement | None, migrated: Requirement | None) -> str:
    """A route's requirement in words, each side's where they differ (the `auth` column of `gateway routes`)."""
    if differ(legacy, migrated):
        return f"legacy: {legacy} / migrated: {migrated}"
    return str(legacy or migrated or AUTHENTICATED)
