"""`proof` stands beside the gateway: it imports nothing of it, of the adapter, of the conventions or of the APIs."""

from __future__ import annotations

import ast
from pathlib import Path

import proof

OTHERS = ("gateway", "legacy_adapter", "http_conventions", "apis")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_proof_imports_none_of_the_projects_other_packages() -> None:
    modules = sorted(Path(proof.__file__).parent.rglob("*.py"))
    assert len(modules) > 5
    found = {f"{path.name}: {name}" for path in modules for name in _imported(path) if name.split(".")[0] in OTHERS}
    assert found == set()
