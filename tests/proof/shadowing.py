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
from starlette.types import Receive, Scope, Send

from apis.registry import registry as example_registry
from gateway.lifecycle import ServedApi, started_apis
from gateway.registry import ApiContext, ApiRegistry, AppFactory, ImplementationFactory
from gateway.settings import ServerSettings
from proof import Diff, Exchange, Tap, diff, observe, replayed

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
        api = next(api for api in self.apis if any(r.matches(scope)[0] is Match.FULL for r in api.legacy.routes))
        tap = Tap(scope)
        await tap.serve(api.legacy, receive, send)
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
