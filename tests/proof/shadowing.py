"""The example APIs served in process with every request shadowed: legacy answers, the router is replayed.

The proof engine driven directly, without the gateway's dispatcher: each request goes to
the legacy app of the API that owns its path, through a `Tap`; its exchange is then
replayed against that API's router app and the two are compared. Every real
implementation call made while a candidate runs is counted.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from apis.registry import registry as example_registry
from gateway.lifecycle import ServedApi, started_apis
from gateway.metrics import GatewayMetrics
from gateway.registry import ApiContext, ApiRegistry, AppFactory, ImplementationFactory
from gateway.routes import RouteIndex, collect_routes
from gateway.settings import ServerSettings
from gateway.strategies.unmatched import Unmatched
from proof import Diff, Exchange, Tap, diff, observe, replayed
from tests.parity.replay import Served

_in_candidate: ContextVar[bool] = ContextVar("in_candidate", default=False)


@dataclass
class Shadowed:
    method: str
    path: str
    legacy: Exchange
    candidate: Exchange
    diff: Diff


@dataclass
class ShadowingApp:
    """ASGI: legacy answers the client, then the same request is replayed against the router and compared."""

    apis: list[ServedApi]
    results: list[Shadowed] = field(default_factory=list)
    candidate_real_calls: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = next((a for a in self.apis if any(r.matches(scope)[0] is Match.FULL for r in a.legacy.routes)), None)
        if api is None:
            # No API's route: the gateway's own 404 or 405, as the parity replay expects.
            match = RouteIndex(collect_routes(self.apis)).match(scope["method"], scope["path"])
            answer = Unmatched(GatewayMetrics()).answer(scope, match)
            await answer.app(scope, receive, _answered_by(send, b"gateway"))
            return
        tap = Tap(scope)
        await tap.serve(api.legacy, receive, _answered_by(send, b"legacy"))
        if api.migrated is None:
            return
        legacy = tap.exchange()
        token = _in_candidate.set(True)
        try:
            candidate = await replayed(api.migrated, legacy)
        finally:
            _in_candidate.reset(token)
        self.results.append(Shadowed(scope["method"], scope["path"], legacy, candidate, diff(legacy, candidate)))

    def counting(self, name: str, bound: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(bound)
        def counted(*args: Any, **kwargs: Any) -> Any:
            if _in_candidate.get():
                self.candidate_real_calls.append(name)
            return bound(*args, **kwargs)

        return counted


def _answered_by(send: Send, backend: bytes) -> Send:
    # As the gateway in shadow mode says, for the parity replay, which checks the side of every answer.
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), (b"x-gateway-backend", backend)]}
        await send(message)

    return sending


def _observed(open_implementation: ImplementationFactory, count: Callable[[str, Any], Any]) -> ImplementationFactory:
    @asynccontextmanager
    async def opened(context: ApiContext) -> AsyncIterator[Any]:
        async with open_implementation(context) as implementation:
            # Counted beneath the observer: a real call is a call that reaches the implementation.
            for name in [n for n in dir(type(implementation)) if not n.startswith("_")]:
                if callable(bound := getattr(implementation, name)):
                    setattr(implementation, name, count(f"{type(implementation).__name__}.{name}", bound))
            yield observe(implementation)

    return opened


@asynccontextmanager
async def shadowing(
    data_dir: Path, routers: dict[str, AppFactory] | None = None
) -> AsyncIterator[tuple[httpx.AsyncClient, ShadowingApp]]:
    """Every example API shadowed; `routers` replaces some APIs' migrated apps (drifting ones, say)."""
    app = ShadowingApp([])
    registry = ApiRegistry()
    for registration in example_registry:
        registry.register_api(
            registration.name,
            implementation=_observed(registration.implementation, app.counting),
            legacy=registration.legacy,
            migrated=(routers or {}).get(registration.name, registration.migrated),
        )
    async with started_apis(registry, ServerSettings(data_dir=data_dir)) as apis:
        app.apis = apis
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://shadow") as client:
            yield client, app


def served_by_legacy(client: httpx.AsyncClient, apis: list[ServedApi]) -> Served:
    """`client` as the parity replay takes it: every answer from legacy, as in shadow mode."""
    return Served(client, "legacy", RouteIndex(collect_routes(apis)))
