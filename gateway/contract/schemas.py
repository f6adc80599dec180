"""What a schema accepts, and the fields a response carries, in forms two sides can be compared in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.contract.documents import MAX_DEPTH, Located, Operation, alternatives, escape

# A bound a schema may put on a value: the keyword and whether a larger value accepts more.
_BOUNDS = {
    "maximum": True,
    "exclusiveMaximum": True,
    "maxLength": True,
    "maxItems": True,
    "minimum": False,
    "exclusiveMinimum": False,
    "minLength": False,
    "minItems": False,
}


@dataclass(frozen=True)
class Accepts:
    """The values a schema lets through, as far as the checks compare them."""

    types: frozenset[str]
    """Empty: any type."""
    enum: frozenset[str] | None
    bounds: Mapping[str, float]

    def describe(self) -> str:
        parts = ["|".join(sorted(self.types)) or "any"]
        if self.enum is not None:
            parts.append("one of " + ", ".join(sorted(self.enum)))
        parts.extend(f"{keyword} {value:g}" for keyword, value in sorted(self.bounds.items()))
        return ", ".join(parts)


def accepts(operation: Operation, located: Located, *, nullable: bool = True) -> Accepts:
    """What `located` accepts; with `nullable` false, `null` is left out (a query string cannot send it)."""
    types: set[str] = set()
    enum: set[str] | None = set()
    bounds: dict[str, float] = {}
    for option in alternatives(located.schema):
        schema = operation.resolve(option, located.pointer).schema
        kind = schema.get("type")
        types.update(kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else [])
        values = schema.get("enum", [schema["const"]] if "const" in schema else None)
        if values is None and schema.get("type") != "null":
            enum = None
        elif enum is not None and values is not None:
            enum.update(str(value) for value in values)
        for keyword in _BOUNDS:
            if isinstance(schema.get(keyword), int | float) and not isinstance(schema.get(keyword), bool):
                bounds[keyword] = float(schema[keyword])
    if not nullable:
        types.discard("null")
    if enum is not None and not enum:
        enum = None
    return Accepts(frozenset(types), frozenset(enum) if enum is not None else None, bounds)


def _types_cover(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Whether every type `narrow` allows, `wide` allows too (no types at all is any type)."""
    if not wide:
        return True
    if not narrow:
        return False
    return all(kind in wide or (kind == "integer" and "number" in wide) for kind in narrow)


def _bounds_cover(wide: Mapping[str, float], narrow: Mapping[str, float]) -> bool:
    for keyword, larger_accepts_more in _BOUNDS.items():
        if keyword not in wide:
            continue
        if keyword not in narrow:
            return False
        if (narrow[keyword] > wide[keyword]) if larger_accepts_more else (narrow[keyword] < wide[keyword]):
            return False
    return True


def covers(wide: Accepts, narrow: Accepts) -> bool:
    """Whether every value `narrow` accepts, `wide` accepts too."""
    enum_ok = wide.enum is None or (narrow.enum is not None and narrow.enum <= wide.enum)
    return enum_ok and _types_cover(wide.types, narrow.types) and _bounds_cover(wide.bounds, narrow.bounds)


@dataclass(frozen=True)
class Field:
    """A field somewhere in a JSON body: its dotted path (``data[].id``) and where the schema says so."""

    path: str
    pointer: str
    required: bool


def fields(operation: Operation, located: Located, prefix: str = "", depth: int = 0) -> dict[str, Field]:
    """Every field of an object schema, nested objects and array items included, by dotted path."""
    found: dict[str, Field] = {}
    if depth >= MAX_DEPTH:
        return found
    for option in alternatives(located.schema):
        schema = operation.resolve(option, located.pointer)
        if schema.schema.get("type") == "array" and isinstance(schema.schema.get("items"), Mapping):
            items = operation.resolve(schema.schema["items"], f"{schema.pointer}/items")
            found.update(fields(operation, items, f"{prefix}[]", depth + 1))
            continue
        required = set(schema.schema.get("required", []))
        properties: Mapping[str, Any] = schema.schema.get("properties", {})
        for name, field in properties.items():
            at = f"{schema.pointer}/properties/{escape(name)}"
            path = f"{prefix}.{name}" if prefix else name
            found.setdefault(path, Field(path, at, name in required))
            found.update(fields(operation, operation.resolve(field, at), path, depth + 1))
    return found
