"""Finding the registry named by ``--apis``: ``package.module`` or ``package.module:attribute``."""

from __future__ import annotations

import importlib
import os
import sys

from gateway.exceptions import ApiModuleError
from gateway.registry import ApiRegistry
from http_conventions.conventions import ConventionsError

DEFAULT_ATTRIBUTE = "registry"


def importable_from_here() -> None:
    """Let modules in the current directory be imported, as uvicorn and `python -m` do.

    The `gateway` console script's own directory comes first on its path, not the current one.
    """
    here = os.getcwd()
    if here not in sys.path:
        sys.path.insert(0, here)


def load_registry(spec: str) -> ApiRegistry:
    """Import the module and return its `ApiRegistry` (attribute `registry` unless named)."""
    module_name, _, attribute = spec.partition(":")
    attribute = attribute or DEFAULT_ATTRIBUTE
    if not module_name or not attribute.isidentifier():
        raise ApiModuleError(f"--apis must be in format '<module>' or '<module>:<attribute>', not {spec!r}")
    importable_from_here()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise ApiModuleError(
                f"--apis: could not import module {module_name!r} (looked in {os.getcwd()} and the installed packages)"
            ) from exc
        raise
    except ConventionsError as exc:
        raise ApiModuleError(f"--apis {module_name}: {exc}") from exc
    registry = getattr(module, attribute, None)
    if not isinstance(registry, ApiRegistry):
        found = "nothing" if registry is None else type(registry).__name__
        raise ApiModuleError(f"--apis: {module_name}:{attribute} must be a gateway.ApiRegistry, found {found}")
    return registry
