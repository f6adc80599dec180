"""Enforcing each route's requirement before the request reaches either side.

The requirement belongs to the route, not to the side serving it: the gateway checks it
once, in front of whichever app the flags choose, so a flip never changes who gets in.
The authenticated user becomes the request's ``scope["user"]`` (and its scopes
``scope["auth"]``), as Starlette's authentication does, which is where both sides' request
context reads it from; the request log line carries it as `user`.

Without an authenticator (no `--auth`) nothing is enforced, and start-up says so.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from starlette.authentication import AuthCredentials, SimpleUser
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.authenticators import Authenticator, load_authenticator
from gateway.bearer import Refusal, bearer_token, missing_scope, provider_failed, unknown_token
from gateway.exceptions import AuthMismatchError
from gateway.log_context import bind_to_request
from gateway.requirements import Requirement, describe, differ
from gateway.routes import GatewayRoute

log = structlog.get_logger("gateway.auth")


class RouteGuard:
    """An app behind a route's requirement: refused (401/403/503) unless the caller meets it."""

    def __init__(self, app: ASGIApp, requirement: Requirement, authenticator: Authenticator) -> None:
        self.app = app
        self.requirement = requirement
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            token = bearer_token(scope)
            try:
                identity = await self.authenticator.authenticate(token, Request(scope))
            except Exception:
                # Never open by accident, and never a 500 without a body.
                log.exception("auth_provider_failed")
                raise provider_failed() from None
            if identity is None:
                raise unknown_token()
            # On the request line even if refused below: who asked is what an audit needs.
            bind_to_request(user=identity.user)
            scope_needed = self.requirement.scope
            if scope_needed is not None and scope_needed not in identity.scopes:
                raise missing_scope(scope_needed)
        except Refusal as refusal:
            await refusal.send(scope, receive, send)
            return
        scope["user"] = SimpleUser(identity.user)
        scope["auth"] = AuthCredentials(sorted(identity.scopes))
        await self.app(scope, receive, send)


class GatewayAuth:
    """Who may call each route: enforced with an authenticator (`--auth`), else nothing.

    ::

        auth = GatewayAuth.from_setting("tokens.yaml")     # or "mypkg.auth:authenticate", or None
        auth.check(routes)                                 # at start-up
        app = auth.guard(route, app)                       # per route, once per flags version
    """

    def __init__(self, authenticator: Authenticator | None) -> None:
        self.authenticator = authenticator

    @classmethod
    def from_setting(cls, spec: str | None) -> GatewayAuth:
        return cls(load_authenticator(spec) if spec else None)

    @property
    def enforcing(self) -> bool:
        return self.authenticator is not None

    def guard(self, route: GatewayRoute, app: ASGIApp) -> ASGIApp:
        """`app` behind `route`'s requirement; `app` itself where nothing is enforced."""
        if self.authenticator is None or not route.auth.authenticated:
            return app
        return RouteGuard(app, route.auth, self.authenticator)

    def check(self, routes: Iterable[GatewayRoute]) -> None:
        """Refuse (with --auth) or warn about routes whose sides require different things."""
        differences = [route for route in routes if differ(route.legacy_auth, route.migrated_auth)]
        if self.enforcing:
            if differences:
                raise AuthMismatchError(
                    f"{route.key} ({route.api}): {describe(route.legacy_auth, route.migrated_auth)}"
                    for route in differences
                )
            return
        log.warning("auth_disabled", hint="nothing is enforced; pass --auth FILE or --auth MODULE:CALLABLE")
        for route in differences:
            log.warning(
                "auth_requirement_mismatch",
                api=route.api,
                route=route.key,
                legacy=str(route.legacy_auth),
                migrated=str(route.migrated_auth),
            )
