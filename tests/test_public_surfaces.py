"""Each package's public names are exactly its `__all__`: an import that leaks a name fails here."""

from __future__ import annotations

import importlib
import inspect

import pytest

PACKAGES = [
    "gateway",
    "gateway.cli",
    "gateway.contract",
    "gateway.scaffold",
    "legacy_adapter",
    "http_conventions",
    "apis",
    "apis.storage",
    "proof",
    "proof.calls",
    "proof.compare",
]


@pytest.mark.parametrize("package", PACKAGES)
def test_public_attributes_are_exactly_all(package: str) -> None:
    module = importlib.import_module(package)
    public = {name for name, value in vars(module).items() if not name.startswith("_") and not inspect.ismodule(value)}
    assert public == {name for name in module.__all__ if not name.startswith("__")}
    assert all(hasattr(module, name) for name in module.__all__)
