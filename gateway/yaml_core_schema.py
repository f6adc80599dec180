"""YAML 1.2's core schema for PyYAML, whose own resolver follows YAML 1.1.

PyYAML reads `yes`, `on` and `no` as booleans and `010` as 8; YAML 1.2 (what ruamel.yaml,
`gateway flags set`'s editor, reads) takes the first three as strings and the last as 10. The
flag file is read by PyYAML for speed and edited by ruamel.yaml: both must see the same values.
The tags and patterns are those of the YAML 1.2.2 specification, section 10.3.2.
"""

from __future__ import annotations

import re

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import BaseResolver

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"


class CoreSchemaResolver(BaseResolver):
    """Plain scalars to the core schema's null, bool, int and float; everything else is a string."""


# Integers before floats: `12` matches both patterns.
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    (INT_TAG, r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        list("-+0123456789."),
    ),
):
    CoreSchemaResolver.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), _first)


class CoreSchemaConstructor(SafeConstructor):
    """PyYAML's safe constructor with the core schema's integers: `0o` octal, and `010` is ten."""

    def construct_core_int(self, node: ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        try:
            if value[:2] in ("0o", "0x"):
                return int(value[2:], 16 if value[1] == "x" else 8)
            return int(value)
        except ValueError as exc:
            raise ConstructorError(None, None, f"{value!r} is not an integer", node.start_mark) from exc


# The stubs want a whole loader as the constructor's first argument; this constructor is used alone.
CoreSchemaConstructor.add_constructor(INT_TAG, CoreSchemaConstructor.construct_core_int)  # type: ignore[type-var]
