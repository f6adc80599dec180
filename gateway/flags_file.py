"""Reading the flag file so that no file, however written, can hurt the server that reads it.

The server and `gateway flags set` both read through here, so they agree on what a file
says. A file is refused, with its path, the key and the line where it helps, when it is:

* larger than `MAX_FLAGS_BYTES` (the size is checked before reading, and no more than
  that is ever read);
* using YAML anchors or aliases (a few hundred bytes of aliases expand to gigabytes),
  nested deeper than `MAX_DEPTH`, or holding more than `MAX_VALUES` values: all found in
  the event stream, before anything is built from it;
* writing a key twice in one mapping (a YAML loader that keeps the last one and an
  editor that refuses the file would disagree on what it says).

ruamel.yaml's safe loader does the parsing (libyaml's C parser where ruamel.yaml.clib
is installed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gateway.exceptions import FlagsError

MAX_FLAGS_BYTES = 1024 * 1024
"""A 200-API flag file is 9 KB; anything near this is a mistake, not a configuration."""
MAX_DEPTH = 16
"""A flag file nests five levels deep; libyaml's composer recurses, and would crash on deep nesting."""
MAX_VALUES = 5_000
"""Keys, values and collections. Each costs about 20 µs and a few objects to build: 5,000 keep the
reading to a tenth of a second and below a full garbage collection (a pause of the whole process),
where a megabyte of one-letter items took 13 s and stalled the event loop 0.8 s."""
_VALUES_HINT = "a flag file naming 200 APIs and 80 route overrides has about 700"


def read_flags_text(path: Path) -> str:
    """The flag file's text; `FlagsError` if it cannot be read, is not UTF-8 or is over the size cap."""
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_FLAGS_BYTES:
                raise _too_large(path, f"is {size:,} bytes")
            # The file may grow between the size check and the read; never read more than the cap.
            data = file.read(MAX_FLAGS_BYTES + 1)
    except FileNotFoundError as exc:
        raise FlagsError(path, None, "no such file; pass --flags PATH or set GATEWAY_FLAGS") from exc
    except PermissionError as exc:
        raise FlagsError(path, None, "cannot read the file: permission denied (see its mode and owner)") from exc
    except OSError as exc:
        raise FlagsError(path, None, f"cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > MAX_FLAGS_BYTES:
        raise _too_large(path, f"has more than {MAX_FLAGS_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FlagsError(path, None, f"line {line}: not UTF-8 (byte {data[exc.start]:#04x})") from exc


def _too_large(path: Path, size: str) -> FlagsError:
    return FlagsError(path, None, f"the file {size}; a flag file may be at most {MAX_FLAGS_BYTES:,}")


def load_flags_yaml(text: str, path: Path) -> Any:
    """The data of the flag file's YAML, or `FlagsError` naming the line at fault."""
    yaml = YAML(typ="safe")
    try:
        _refuse_before_composing(yaml, text, path)
        node = yaml.compose(text)
        if node is None:
            return None
        _refuse_duplicate_keys(node, path, ())
        return yaml.constructor.construct_document(node)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise FlagsError(path, None, f"YAML syntax error at {where}: {exc.problem or exc.context}") from exc
    except YAMLError as exc:
        raise FlagsError(path, None, f"YAML error: {exc}") from exc


def _refuse_before_composing(yaml: YAML, text: str, path: Path) -> None:
    """Refuse anchors, aliases, deep nesting and too many values, from the events, before any node is built."""
    depth = values = 0
    for event in yaml.parse(text):
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor is not None):
            raise FlagsError(
                path,
                None,
                f"line {line}: YAML anchors and aliases (&name, *name) are not allowed in a flag file; "
                "write each value out",
            )
        if isinstance(event, NodeEvent):
            values += 1
            if values > MAX_VALUES:
                raise FlagsError(path, None, f"line {line}: more than {MAX_VALUES:,} values; {_VALUES_HINT}")
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise FlagsError(path, None, f"line {line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _refuse_duplicate_keys(node: Node, path: Path, keys: tuple[str, ...]) -> None:
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _refuse_duplicate_keys(item, path, (*keys, str(index)))
    elif isinstance(node, MappingNode):
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue  # a collection as a key: the constructor refuses it, with its line
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                raise FlagsError(
                    path, ".".join((*keys, key)), f"written twice, on line {first_lines[key]} and line {line}; keep one"
                )
            first_lines[key] = line
            _refuse_duplicate_keys(value_node, path, (*keys, key))
