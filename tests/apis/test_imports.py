"""Deleting `legacy_adapter` at the end of a migration must leave every migrated router working (SPEC 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
# In a fresh interpreter: `legacy_adapter` cannot be imported, and the `apis` package is an empty
# shell, so that its `__init__` (which imports the registry, and so both sides) is not what is tested.
PROBE = """
import importlib, json, sys, types
sys.modules["legacy_adapter"] = None
package = types.ModuleType("apis")
package.__path__ = ["apis"]
sys.modules["apis"] = package
needing = []
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except ImportError as exc:
        if "legacy_adapter" not in str(exc):
            raise
        needing.append(name)
print(json.dumps(needing))
"""


def _modules() -> list[str]:
    paths = sorted((ROOT / "apis").rglob("*.py"))
    return [".".join(path.relative_to(ROOT).with_suffix("").parts) for path in paths if path.name != "__init__.py"]


def test_only_legacy_modules_and_the_registry_import_legacy_adapter() -> None:
    modules = _modules()
    found = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(modules)], cwd=ROOT, capture_output=True, text=True, check=True
    )

    needing = json.loads(found.stdout)

    # Routers, services, models and implementations import nothing of it, directly or through another module.
    assert needing == [name for name in modules if name.endswith(".legacy") or name == "apis.registry"]
    assert "apis.inspect.routes" in modules and "apis.inspect.implementation" in modules
