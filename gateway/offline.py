"""The served routes and documents without a server, for the commands that inspect them.

Routes need only the apps, and the apps need an implementation only to call it, so the
routes are read from apps built over placeholders: no implementation is started, no data
directory touched. A document also reads the implementation's annotations (the legacy
adapter documents what each method returns), so documents come from a scratch start.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from gateway.lifecycle import ServedApi, api_context, started_apis
from gateway.registry import ApiRegistry
from gateway.settings import ServerSettings


def _never_called() -> None:
    raise RuntimeError("an implementation placeholder is for reading routes; nothing may call it")


class Placeholder:
    """Stands for an API's implementation while its apps are built to be read, never served.

    Every attribute is a method and has attributes of its own, so an app factory finds
    whatever its protocols ask for, nested ones (``rag_tool.query``) included.
    """

    # Read like a function's: a method with no annotations, for the factories that look.
    __annotations__ = dict[str, Any]()

    def __init__(self, api: str) -> None:
        self._api = api

    def __getattr__(self, name: str) -> Placeholder:
        if name.startswith("__"):
            # Python's own protocols (`__wrapped__`, `__signature__`...) must find nothing here.
            raise AttributeError(name)
        return Placeholder(f"{self._api}.{name}")

    def __call__(self) -> None:
        _never_called()

    def __repr__(self) -> str:
        return f"Placeholder({self._api!r})"


def placeholder_apis(registry: ApiRegistry, settings: ServerSettings) -> list[ServedApi]:
    """Every API's apps built over a `Placeholder`: their routes are the served ones, nothing is started."""
    implementations: dict[str, Any] = {}
    served: list[ServedApi] = []
    for registration in registry:
        context = api_context(registration.name, settings, implementations, served)
        implementation = implementations[registration.name] = Placeholder(registration.name)
        served.append(ServedApi(registration.name, implementation, *registration.apps(implementation, context)))
    return served


@asynccontextmanager
async def scratch_apis(registry: ApiRegistry) -> AsyncIterator[list[ServedApi]]:
    """Every API started on a scratch data directory, so the real one is never touched."""
    with tempfile.TemporaryDirectory(prefix="gateway-") as scratch:
        async with started_apis(registry, ServerSettings(data_dir=Path(scratch))) as apis:
            yield apis
