"""Editing the flag file the way its operator wrote it.

ruamel.yaml's round trip keeps comments, key order and quoting. It keeps the blank and
comment lines that follow an entry with that entry, although they describe what comes
next; every edit here moves them so they stay above the entry they describe. The edited
text is validated as the server reads it and replaces the file in one rename::

    document = FlagDocument(Path("config/migration.yaml"))
    old_mode = document.set_mode("models", "legacy")
    document.save(routes)
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from gateway.exceptions import FlagsError
from gateway.flags import MODE_FIELDS, FlagFile, check_against_routes, parse_flags
from gateway.flags_file import load_flags_yaml, read_flags_text
from gateway.routes import GatewayRoute

# A mapping and one of its keys: where ruamel keeps the comment written after that key's line.
_Slot = tuple[CommentedMap, Any]


def _tail(mapping: CommentedMap, key: Any) -> _Slot:
    """The slot of the last line of `key`'s entry (its deepest last key, for a mapping)."""
    value = mapping[key]
    if isinstance(value, CommentedMap) and value:
        return _tail(value, list(value)[-1])
    return mapping, key


def _take_following(slot: _Slot) -> str:
    """Remove and return the lines after the slot's own line; they belong to what follows."""
    mapping, key = slot
    items = mapping.ca.items.get(key)
    token = items[2] if items else None
    if token is None:
        return ""
    own, _, following = token.value.partition("\n")
    token.value = own + "\n"
    return str(following)


def _add_following(slot: _Slot, lines: str) -> None:
    if not lines:
        return
    mapping, key = slot
    items = mapping.ca.items.setdefault(key, [None, None, None, None])
    if items[2] is None:
        items[2] = CommentToken("\n" + lines, CommentMark(0))
    else:
        value = items[2].value
        items[2].value = (value if value.endswith("\n") else value + "\n") + lines


def _lift_comments(mapping: CommentedMap) -> None:
    """Keep the comments above each nested mapping's first key in its key line's slot.

    ruamel keeps them there when the key line has a comment of its own, and in a list of
    the nested mapping otherwise; with one place for them, every entry is followed by
    exactly one slot.
    """
    for key, value in mapping.items():
        if not isinstance(value, CommentedMap):
            continue
        _lift_comments(value)
        above = value.ca.comment[1] if value.ca.comment else None
        if above:
            _add_following((mapping, key), "".join(_indented(token) for token in above))
            mapping.ca.items[key][3] = None
            value.ca.comment[1] = None


def _indented(token: CommentToken) -> str:
    return " " * token.column + token.value if token.value.strip() else str(token.value)


def _put(mapping: CommentedMap, key: Any, value: Any) -> None:
    """Set `key` (replacing it in place or appending it) with the following lines kept below it."""
    neighbour = key if key in mapping else next(reversed(mapping), None)
    following = _take_following(_tail(mapping, neighbour)) if neighbour is not None else ""
    old = mapping.get(key)
    # The operator's quoting of a mode survives a change of the mode.
    mapping[key] = type(old)(value) if isinstance(old, ScalarString) and isinstance(value, str) else value
    _add_following(_tail(mapping, key), following)


def _remove(root: CommentedMap, keys: tuple[Any, ...]) -> None:
    """Delete the entry at `keys` (below the root); the lines after it move up to where it stood."""
    parents = [root]
    for key in keys[:-1]:
        parents.append(parents[-1][key])
    mapping, key = parents[-1], keys[-1]
    following = _take_following(_tail(mapping, key))
    siblings = list(mapping)
    index = siblings.index(key)
    del mapping[key]
    mapping.ca.items.pop(key, None)
    if index:
        _add_following(_tail(mapping, siblings[index - 1]), following)
    elif len(keys) > 1:
        # A first key follows its mapping's key line, whose slot is in the parent.
        _add_following((parents[-2], keys[-2]), following)
    elif following:
        # The root's first key follows the file's opening comments.
        if not root.ca.comment:
            root.ca.comment = [None, []]
        root.ca.comment[1] = [*(root.ca.comment[1] or []), CommentToken(following, CommentMark(0))]


def _nested(keys: tuple[Any, ...], value: Any) -> Any:
    for key in reversed(keys):
        value = CommentedMap([(key, value)])
    return value


def _indent_step(text: str) -> int:
    """The file's indentation step: the smallest indent of a content line (2 if none is indented)."""
    indents = (
        len(line) - len(line.lstrip(" "))
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return min((indent for indent in indents if indent > 0), default=2)


def _starts_explicitly(text: str) -> bool:
    """Whether the document opens with `---`, which the round trip would otherwise drop."""
    content = (line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return next(content, "").startswith("---")


def write_atomically(path: Path, text: str) -> None:
    """Replace the file at `path` (a symlink's target) with `text` in one rename, keeping its permissions.

    A reader sees the old file or the new one, never a half-written one; the temporary
    file sits next to the target, so the rename stays on one file system.
    """
    target = Path(os.path.realpath(path))
    permissions = stat.S_IMODE(os.stat(target).st_mode)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), permissions)
            file.write(text)
            file.flush()
            # On disk before the rename: a crash must not leave an empty flag file in its place.
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class FlagDocument:
    """The flag file as its operator wrote it, edited in memory and saved whole.

    Each edit returns the value it replaced (None where nothing was set); `save`
    refuses to write a document the server would reject.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        text = read_flags_text(path)
        # Whatever the server would refuse to read (a syntax error, a key written twice, an
        # alias) is refused here first, in the server's words.
        load_flags_yaml(text, path)
        self._yaml = YAML(typ="rt")
        self._yaml.preserve_quotes = True
        self._yaml.indent(mapping=_indent_step(text))
        self._yaml.width = 4096  # never re-wrap the operator's lines
        self._yaml.explicit_start = _starts_explicitly(text)
        try:
            root = self._yaml.load(text)
        except YAMLError as exc:
            raise FlagsError(path, None, f"cannot edit the file: {exc}") from exc
        if root is not None and not isinstance(root, CommentedMap):
            raise FlagsError(path, None, f"the file must be a mapping with `default` and `apis`, not {root!r}")
        self._root = root if root is not None else CommentedMap()
        _lift_comments(self._root)
        # A file of comments alone loads as nothing; its comments stay on top.
        self._header = text.rstrip("\n") + "\n" if root is None and text.strip() else ""

    def _lookup(self, keys: tuple[Any, ...]) -> Any:
        value: Any = self._root
        for key in keys:
            if not isinstance(value, CommentedMap):
                return None
            value = value.get(key)
        return value

    def _set(self, keys: tuple[Any, ...], value: Any) -> None:
        mapping = self._root
        for depth, key in enumerate(keys[:-1]):
            child = mapping.get(key)
            if child is None:
                # Built whole and put once, so the lines that follow move only once.
                _put(mapping, key, _nested(keys[depth + 1 :], value))
                return
            if not isinstance(child, CommentedMap):
                raise FlagsError(self.path, ".".join(keys[: depth + 1]), f"expected a mapping, found {child!r}")
            mapping = child
        _put(mapping, keys[-1], value)

    def set_mode(self, api: str, mode: str) -> Any:
        """Set the API's mode, in whichever form the API is listed; an unlisted API is appended."""
        entry = self._lookup(("apis", api))
        if not isinstance(entry, CommentedMap):
            self._set(("apis", api), mode)
            return entry
        old = entry.get("mode")
        if "mode" in entry:
            _put(entry, "mode", mode)
        else:
            entry.insert(0, "mode", mode)
        # Fields of the mode it leaves (a shadow `sample`) would make the file invalid.
        for name in {field for fields in MODE_FIELDS.values() for field in fields} - set(MODE_FIELDS.get(mode, ())):
            if name in entry:
                self._remove(("apis", api, name))
        return old

    def set_route_mode(self, api: str, route: str, mode: str) -> Any:
        """Override one route's mode; an API in short form (`models: migrated`) turns long, keeping its mode."""
        entry = self._lookup(("apis", api))
        if isinstance(entry, str):
            self._set(("apis", api), CommentedMap([("mode", entry)]))
        old = self._lookup(("apis", api, "routes", route))
        self._set(("apis", api, "routes", DoubleQuotedScalarString(route)), mode)
        return old

    def unset(self, api: str) -> Any:
        """Remove the API's entry, so it follows the default."""
        if not isinstance(self._lookup(("apis",)), CommentedMap) or api not in self._root["apis"]:
            raise FlagsError(self.path, f"apis.{api}", "not set; the API already follows the default")
        old = self._root["apis"][api]
        self._remove(("apis", api))
        return old

    def unset_route(self, api: str, route: str) -> Any:
        """Remove one route override (and the `routes` mapping, or the whole entry, it leaves empty)."""
        routes = self._lookup(("apis", api, "routes"))
        if not isinstance(routes, CommentedMap) or route not in routes:
            raise FlagsError(self.path, f"apis.{api}.routes.{route}", "not set; the route already follows its API")
        old = routes[route]
        self._remove(("apis", api, "routes", route))
        return old

    def _remove(self, keys: tuple[Any, ...]) -> None:
        # An emptied `routes`, API entry or `apis` goes too: each means the same as its absence.
        _remove(self._root, keys)
        while len(keys) > 1 and not self._lookup(keys[:-1]):
            keys = keys[:-1]
            _remove(self._root, keys)

    def text(self) -> str:
        """The document as it would be written."""
        stream = io.StringIO()
        self._yaml.dump(self._root, stream)
        return self._header + stream.getvalue()

    def save(self, routes: Iterable[GatewayRoute]) -> FlagFile:
        """Validate the edited document as the server would read it, then replace the file with it."""
        text = self.text()
        flags = parse_flags(text, self.path)
        check_against_routes(flags, self.path, routes)
        try:
            write_atomically(self.path, text)
        except OSError as exc:
            raise FlagsError(self.path, None, f"cannot write the file: {exc}") from exc
        return flags
