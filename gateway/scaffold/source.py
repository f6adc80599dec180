"""Reading a protocol's source: each method as written, and how its module imports each name it uses.

The generated files reuse the protocol's own annotations and defaults, verbatim, so they
must import each name the way the protocol's module does (or from that module, for a name
it defines itself).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import inspect
import textwrap
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

import libcst as cst

from gateway.exceptions import ScaffoldError


@dataclass(frozen=True, order=True)
class Import:
    """How a generated file imports one name: ``from module import name [as alias]``, or ``import module``."""

    module: str
    name: str | None = None
    alias: str | None = None

    @property
    def local(self) -> str:
        return self.alias or self.name or self.module.split(".")[0]

    def statement(self) -> cst.SimpleStatementLine:
        alias = f" as {self.alias}" if self.alias else ""
        if self.name is None:
            return cst.parse_statement(f"import {self.module}{alias}")  # type: ignore[return-value]
        return cst.parse_statement(f"from {self.module} import {self.name}{alias}")  # type: ignore[return-value]


_MISSING = object()
"""What `ModuleSource.value` gives for a name the module does not hold."""


class _Names(cst.CSTVisitor):
    """The names an expression reads: not attributes after a dot, not keyword argument names."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self.names:
            self.names.append(node.value)


def _source(code: Any) -> str:
    try:
        return inspect.getsource(code)
    except (OSError, TypeError) as exc:
        raise ScaffoldError(f"cannot read the source of {code.__qualname__}: {exc}") from exc


def names_read(node: cst.CSTNode) -> list[str]:
    """The free names `node` reads, in order of first appearance."""
    visitor = _Names()
    node.visit(visitor)
    return visitor.names


def _imports(statement: cst.Import | cst.ImportFrom, package: str) -> list[Import]:
    if isinstance(statement, cst.Import):
        return [
            Import(cst.Module([]).code_for_node(alias.name), None, alias.evaluated_alias) for alias in statement.names
        ]
    if isinstance(statement.names, cst.ImportStar):
        return []
    relative = "." * len(statement.relative)
    module = relative + (cst.Module([]).code_for_node(statement.module) if statement.module else "")
    absolute = importlib.util.resolve_name(module, package) if relative else module
    return [Import(absolute, str(alias.evaluated_name), alias.evaluated_alias) for alias in statement.names]


class ModuleSource:
    """One module's source, its imports by local name, and the names it defines at its top level."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.tree = cst.parse_module(_source(module))
        self.imports: dict[str, Import] = {}
        self.defined: set[str] = set()
        package = module.__package__ or module.__name__
        for statement in self._top_level(self.tree.body):
            if isinstance(statement, cst.Import | cst.ImportFrom):
                self.imports.update((item.local, item) for item in _imports(statement, package))
            elif isinstance(statement, cst.ClassDef | cst.FunctionDef):
                self.defined.add(statement.name.value)
            elif isinstance(statement, cst.Assign | cst.AnnAssign):
                targets = statement.targets if isinstance(statement, cst.Assign) else [statement]
                self.defined.update(t.target.value for t in targets if isinstance(t.target, cst.Name))

    def _top_level(self, body: Any) -> list[cst.CSTNode]:
        """Top-level statements, those under `if TYPE_CHECKING:` (and other ifs) included."""
        found: list[cst.CSTNode] = []
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                found.extend(statement.body)
            elif isinstance(statement, cst.If):
                found.extend(self._top_level(statement.body.body))
            else:
                found.append(statement)
        return found

    def import_of(self, name: str) -> Import | None:
        """How a generated file imports `name` as this module knows it; None for a builtin.

        `ScaffoldError` when this module neither imports nor defines it.
        """
        if name in self.imports:
            return self.imports[name]
        if name in self.defined:
            return Import(self.module.__name__, name)
        if hasattr(builtins, name):
            return None
        raise ScaffoldError(f"{self.module.__name__} uses {name!r} but neither imports nor defines it at its top level")

    def value(self, node: cst.BaseExpression) -> Any:
        """The object a name or dotted name denotes in this module, or `_MISSING`."""
        if isinstance(node, cst.Name):
            found = vars(self.module).get(node.value, _MISSING)
            return getattr(builtins, node.value, _MISSING) if found is _MISSING else found
        if isinstance(node, cst.Attribute):
            holder = self.value(node.value)
            return _MISSING if holder is _MISSING else getattr(holder, node.attr.value, _MISSING)
        return _MISSING


@cache
def module_source(name: str) -> ModuleSource:
    return ModuleSource(importlib.import_module(name))


def resolve(path: str) -> Any:
    """The object ``module:QualName`` names."""
    module_name, _, qualname = path.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def protocol_function(protocol: type, name: str) -> tuple[cst.FunctionDef, ModuleSource]:
    """The method `name` of `protocol` as written (the protocol or base declaring it), and its module's source."""
    owner = next(klass for klass in protocol.__mro__ if name in vars(klass))
    function = vars(owner)[name]
    statement = cst.parse_statement(textwrap.dedent(_source(function)))
    assert isinstance(statement, cst.FunctionDef), f"{owner.__qualname__}.{name} is no function"
    return statement, module_source(function.__module__)
