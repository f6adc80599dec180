"""Reading the flag file so that no file, however written, can hurt the server that reads it.

The server and `gateway flags set` both read through here, so they agree on what a file
says. A file is refused, with its path, the key and the line where it helps, when it is:

* larger than `MAX_FLAGS_BYTES` (the size is checked before reading, and no more than
  that is ever read);
* using YAML anchors or aliases (a few hundred bytes of aliases expand to gigabytes),
  nested deeper than `MAX_DEPTH`, or holding more than `MAX_VALUES` values: each found
  in the event stream as it comes, before anything past it is built;
* writing a key twice in one mapping (a YAML loader that keeps the last one and an
  editor that refuses the file would disagree on what it says).

The document is built straight from libyaml's events (PyYAML's C parser; its pure-Python
parser where PyYAML was built without libyaml), its scalars typed by YAML 1.2's core schema
as ruamel.yaml, the editor of `gateway flags set`, types them. Composing a node graph first
and constructing values from it, as YAML loaders do, took most of a reload: ten times the
rest of it for a 200-API file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.error import Mark, MarkedYAMLError, YAMLError
from yaml.events import (
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)
from yaml.nodes import ScalarNode

from gateway.exceptions import FlagsError
from gateway.yaml_core_schema import STR_TAG, CoreSchemaConstructor, CoreSchemaResolver

try:
    from yaml import CSafeLoader as EventSource
except ImportError:  # PyYAML without libyaml: the same events from its pure-Python parser, slower
    from yaml import SafeLoader as EventSource  # type: ignore[assignment]

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
    document = _Document(path)
    add = document.add
    events = EventSource(text)
    try:
        # `yaml.parse` without its generator, which cost as much as the parser's own work.
        while (event := events.get_event()) is not None:
            add(event)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.problem == _LIBYAML_TOO_DEEP and mark:
            # libyaml scans a flow collection's brackets ahead, and stops at its own bound of 1,000
            # levels before the event of the one past ours reaches us: the same fault, said the same way.
            raise _too_deep(path, mark.line + 1) from exc
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise FlagsError(path, None, f"YAML syntax error at {where}: {exc.problem or exc.context}") from exc
    except YAMLError as exc:
        raise FlagsError(path, None, f"YAML error: {exc}") from exc
    finally:
        events.dispose()
    return document.root


_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


def _too_deep(path: Path, line: int) -> FlagsError:
    return FlagsError(path, None, f"line {line}: nested more than {MAX_DEPTH} levels deep")


def _mark(event: Event) -> Mark | None:
    # PyYAML's stubs type the C parser's marks apart from its Python parser's; both have the same fields.
    return event.start_mark  # type: ignore[return-value]


def _line(event: Event) -> int:
    mark = event.start_mark
    return mark.line + 1 if mark else 0


_SEQUENCE_TAGS = (None, "!", "tag:yaml.org,2002:seq")
_MAPPING_TAGS = (None, "!", "tag:yaml.org,2002:map")
_TYPED_FIRST = frozenset(CoreSchemaResolver.yaml_implicit_resolvers)
"""The first characters of a plain scalar that may be a null, bool or number; any other starts a string."""
_NO_KEY = object()
"""A mapping's next node is a key."""


class _Collection:
    """A mapping or sequence being filled, where it sits (for messages), and a mapping's key in waiting."""

    __slots__ = ("value", "keys", "key", "raw_key", "first_keys")

    def __init__(self, value: dict[Any, Any] | list[Any], keys: tuple[str, ...]) -> None:
        self.value = value
        self.keys = keys
        self.key: Any = _NO_KEY
        self.raw_key = ""
        self.first_keys: dict[str, ScalarEvent] = {}
        """Each key's event, whose line a key written twice is refused with."""


class _Document:
    """The one document of the flag file, built event by event, each refused as soon as it breaks a rule."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root: Any = None
        self._open: list[_Collection] = []
        self._values = 0
        self._first_document: DocumentStartEvent | None = None
        self._constructor = CoreSchemaConstructor()
        self._resolver = CoreSchemaResolver()

    def add(self, event: Event) -> None:
        if isinstance(event, NodeEvent):
            # An alias's event carries the anchor it names: refused with the anchors.
            if event.anchor is not None:
                raise self._anchored(event)
            self._values += 1
            if self._values > MAX_VALUES:
                raise self._refuse(event, f"more than {MAX_VALUES:,} values; {_VALUES_HINT}")
            if isinstance(event, ScalarEvent):
                self._place(self._scalar(event), event)
            else:
                self._collection(event)  # type: ignore[arg-type]
        elif isinstance(event, CollectionEndEvent):
            self._open.pop()
        elif isinstance(event, DocumentStartEvent):
            if self._first_document is not None:
                raise ComposerError(
                    "expected a single document in the stream",
                    _mark(self._first_document),
                    "but found another document",
                    _mark(event),
                )
            self._first_document = event

    def _refuse(self, event: Event, problem: str) -> FlagsError:
        return FlagsError(self.path, None, f"line {_line(event)}: {problem}")

    def _anchored(self, event: Event) -> FlagsError:
        return self._refuse(
            event, "YAML anchors and aliases (&name, *name) are not allowed in a flag file; write each value out"
        )

    def _collection(self, event: CollectionStartEvent) -> None:
        if len(self._open) == MAX_DEPTH:
            raise _too_deep(self.path, _line(event))
        mapping = isinstance(event, MappingStartEvent)
        if event.tag not in (_MAPPING_TAGS if mapping else _SEQUENCE_TAGS):
            raise ConstructorError(
                None, None, f"could not determine a constructor for the tag {event.tag!r}", _mark(event)
            )
        collection = _Collection({} if mapping else [], self._child_keys())
        self._place(collection.value, event)
        self._open.append(collection)

    def _scalar(self, event: ScalarEvent) -> Any:
        tag, value = event.tag, event.value
        if tag is None and not (event.implicit[0] and value[:1] in _TYPED_FIRST):
            # Quoted, or plain but starting as no null, bool or number can: a string, without asking the resolver.
            return value
        if tag is None or tag == "!":
            tag = self._resolver.resolve(ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
        if tag == STR_TAG:
            return value
        node = ScalarNode(tag, value, _mark(event), _mark(event), event.style)
        return self._constructor.construct_object(node)

    def _child_keys(self) -> tuple[str, ...]:
        if not self._open:
            return ()
        parent = self._open[-1]
        if isinstance(parent.value, list):
            return (*parent.keys, str(len(parent.value)))
        return (*parent.keys, parent.raw_key)

    def _place(self, value: Any, event: NodeEvent) -> None:
        if not self._open:
            self.root = value
            return
        parent = self._open[-1]
        if parent.key is not _NO_KEY:
            parent.value[parent.key] = value
            parent.key = _NO_KEY
        elif isinstance(parent.value, list):
            parent.value.append(value)
        elif isinstance(event, ScalarEvent):
            self._refuse_second(parent, event)
            parent.key, parent.raw_key = value, event.value
        else:
            raise ConstructorError(
                "while constructing a mapping", None, "found a mapping or sequence as a key", _mark(event)
            )

    def _refuse_second(self, mapping: _Collection, key: ScalarEvent) -> None:
        """Refuse a key the mapping already has, naming where each was written."""
        first = mapping.first_keys.get(key.value)
        if first is not None:
            raise FlagsError(
                self.path,
                ".".join((*mapping.keys, key.value)),
                f"written twice, on line {_line(first)} and line {_line(key)}; keep one",
            )
        mapping.first_keys[key.value] = key
