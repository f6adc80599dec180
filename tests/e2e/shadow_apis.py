"""The example APIs for shadow tests against a real server: every real implementation call logged.

`registry`: each implementation method, when it really runs, writes an `implementation_call`
line (bound to the request's context, so a call made while a router is being compared says
`backend="shadow"`). `drifting_registry`: the same, with the models router replaced by one
that drifts (tests/proof/drifting_routers.py).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from starlette.applications import Starlette

from apis.registry import registry as example_registry
from gateway.registry import ApiContext, ApiRegistry, AppFactory, ImplementationFactory
from http_conventions import create_router_app
from tests.proof import drifting_routers

log = structlog.get_logger("tests.shadow")


def _logged(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def logged(*args: Any, **kwargs: Any) -> Any:
        log.info("implementation_call", method=name)
        return method(*args, **kwargs)

    return logged


def _logging(open_implementation: ImplementationFactory) -> ImplementationFactory:
    @asynccontextmanager
    async def opened(context: ApiContext) -> AsyncIterator[Any]:
        async with open_implementation(context) as implementation:
            for name in [n for n in dir(type(implementation)) if not n.startswith("_")]:
                if callable(method := getattr(implementation, name)):
                    setattr(implementation, name, _logged(f"{type(implementation).__name__}.{name}", method))
            yield implementation

    return opened


def _drifting_models(implementation: Any, context: ApiContext) -> Starlette:
    return create_router_app(drifting_routers.models_router(), implementation, title="models (drifting)")


def _registry(routers: dict[str, AppFactory]) -> ApiRegistry:
    registry = ApiRegistry()
    for registration in example_registry:
        registry.register_api(
            registration.name,
            implementation=_logging(registration.implementation),
            legacy=registration.legacy,
            migrated=routers.get(registration.name, registration.migrated),
        )
    return registry


registry = _registry({})
drifting_registry = _registry({"models": _drifting_models})
