"""Starting every registered API: one implementation per worker, both apps built over it."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from starlette.applications import Starlette

from gateway.exceptions import SettingError
from gateway.modes import Side
from gateway.registry import ApiContext, ApiRegistry
from gateway.settings import ServerSettings
from proof import observe

log = structlog.get_logger("gateway.lifecycle")


@dataclass(frozen=True)
class ServedApi:
    """A started API: its implementation and the app of each side it has."""

    name: str
    implementation: Any
    legacy: Starlette
    migrated: Starlette | None

    def app(self, side: Side) -> Starlette | None:
        return self.legacy if side == "legacy" else self.migrated


def prepare_data_dir(path: Path) -> None:
    """Create the data directory if missing and make sure the server may write there, else `SettingError`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise SettingError("data_dir", "is not a directory; give a directory (it is created if missing)") from exc
    except OSError as exc:
        raise SettingError(
            "data_dir", f"cannot create it ({exc.strerror}); create it or give a directory the server may write to"
        ) from exc
    try:
        # Writing is the only sure test: permissions, ACLs, read-only mounts and root all play a part.
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise SettingError(
            "data_dir", f"cannot write there ({exc.strerror}); let the server's user write to it or give another"
        ) from exc


def api_context(
    api: str, settings: ServerSettings, implementations: dict[str, Any], served: list[ServedApi]
) -> ApiContext:
    """What API `api` is built with: the settings it reads and the APIs registered before it."""
    return ApiContext(
        data_dir=settings.data_dir,
        database=settings.database,
        database_lease=settings.database_lease,
        max_body_size=settings.max_body_size,
        implementations=implementations,
        served=served,
        api=api,
    )


@asynccontextmanager
async def started_apis(registry: ApiRegistry, settings: ServerSettings) -> AsyncIterator[list[ServedApi]]:
    """Create each implementation in registration order and close them in reverse on exit."""
    prepare_data_dir(settings.data_dir)
    implementations: dict[str, Any] = {}
    served: list[ServedApi] = []
    async with AsyncExitStack() as stack:
        for registration in registry:
            context = api_context(registration.name, settings, implementations, served)
            try:
                # Observable before either app binds its methods: shadow mode captures and replays its calls.
                implementation = observe(await stack.enter_async_context(registration.implementation(context)))
                implementations[registration.name] = implementation
                apps = registration.apps(implementation, context)
            except Exception as exc:
                # One line a person can act on, before the traceback the server adds.
                log.error("apis_not_started", api=registration.name, error=str(exc), error_type=type(exc).__name__)
                raise
            served.append(ServedApi(registration.name, implementation, *apps))
        yield served
