"""Starting every registered API: one implementation per worker, both apps built over it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from starlette.applications import Starlette

from gateway.registry import ApiContext, ApiRegistry
from gateway.settings import ServerSettings

Side = Literal["legacy", "migrated"]
SIDES: tuple[Side, ...] = ("legacy", "migrated")


@dataclass(frozen=True)
class ServedApi:
    """A started API: its implementation and the app of each side it has."""

    name: str
    implementation: Any
    legacy: Starlette
    migrated: Starlette | None

    def app(self, side: Side) -> Starlette | None:
        return self.legacy if side == "legacy" else self.migrated


@asynccontextmanager
async def started_apis(registry: ApiRegistry, settings: ServerSettings) -> AsyncIterator[list[ServedApi]]:
    """Create each implementation in registration order and close them in reverse on exit."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    implementations: dict[str, Any] = {}
    served: list[ServedApi] = []
    async with AsyncExitStack() as stack:
        for registration in registry:
            context = ApiContext(
                data_dir=settings.data_dir, max_body_size=settings.max_body_size, implementations=implementations
            )
            implementation = await stack.enter_async_context(registration.implementation(context))
            implementations[registration.name] = implementation
            served.append(
                ServedApi(
                    name=registration.name,
                    implementation=implementation,
                    legacy=registration.legacy(implementation, context),
                    migrated=registration.migrated(implementation, context) if registration.migrated else None,
                )
            )
        yield served
