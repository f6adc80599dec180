"""Comparing two exchanges of one request: findings a person reads in seconds.

::

    result = diff(legacy_exchange, candidate_exchange)
    result.matched        # no findings
    result.text()         # one line per finding, at most 4 KiB:
    # status: legacy 204 | migrated 200
    # body $.data[0].purpose: legacy "batch" | migrated "assistants"
    # calls[1] list_models: legacy (no call) | migrated {}

Compared, as SPEC 10 lists: the calls (methods in order, arguments as plain data), the
status, the media type, the headers `Allow`, `Location` and `Content-Disposition`, the
body (JSON as data with JSON paths, server-sent events one by one, other bytes exactly),
and whether the app raised (after a complete response that breaks a keep-alive connection).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from proof.calls.outcome import Call
from proof.calls.plain import plain_exception
from proof.compare.bodies import body_data
from proof.compare.exchange import Exchange, ExchangeResponse

DIFF_LIMIT = 4096
"""The most bytes a diff's text takes (a log line stays readable)."""
COMPARED_HEADERS = ("allow", "location", "content-disposition")
VALUE_LIMIT = 200

# Room kept for the "... N more findings" line.
_TAIL_ROOM = 32


class _Marker:
    """A value no JSON holds, shown by its name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT = _Marker("(absent)")
NO_CALL = _Marker("(no call)")


@dataclass(frozen=True)
class Finding:
    """One difference: where (`status`, `header allow`, `body $.data[0].id`, `calls[2] get_model`) and both values."""

    where: str
    expected: Any
    actual: Any


@dataclass(frozen=True)
class Diff:
    """The findings of one comparison; `expected` and `actual` name the two sides in the text."""

    findings: tuple[Finding, ...]
    expected: str = "legacy"
    actual: str = "migrated"

    @property
    def matched(self) -> bool:
        return not self.findings

    def text(self, limit: int = DIFF_LIMIT) -> str:
        """One line per finding, cut to at most `limit` bytes (UTF-8), ending with a count of what was left out."""
        lines: list[str] = []
        used = 0
        for index, finding in enumerate(self.findings):
            line = self.line(finding)
            cost = len(line.encode()) + bool(lines)
            last = index == len(self.findings) - 1
            if used + cost + (0 if last else _TAIL_ROOM) > limit:
                lines.append(f"... {len(self.findings) - index} more findings")
                break
            lines.append(line)
            used += cost
        return "\n".join(lines)

    def line(self, finding: Finding) -> str:
        where = finding.where if len(finding.where) <= VALUE_LIMIT else f"{finding.where[: VALUE_LIMIT - 3]}..."
        return f"{where}: {self.expected} {_shown(finding.expected)} | {self.actual} {_shown(finding.actual)}"


def _shown(value: Any) -> str:
    if isinstance(value, _Marker):
        return value.name
    if isinstance(value, bytes):
        shown = repr(value)
    else:
        shown = json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    return shown if len(shown) <= VALUE_LIMIT else f"{shown[: VALUE_LIMIT - 3]}..."


def diff(expected: Exchange, actual: Exchange, *, names: tuple[str, str] = ("legacy", "migrated")) -> Diff:
    """What `actual` did differently from `expected` for the same request; `names` label the two sides."""
    findings = [
        *_calls(expected.calls, actual.calls),
        *_responses(expected.response, actual.response),
    ]
    return Diff(tuple(findings), *names)


def _calls(expected: Sequence[Call], actual: Sequence[Call]) -> Iterator[Finding]:
    # Aligned by method name, so one extra call is one finding, not a shift of every later one.
    matcher = SequenceMatcher(a=[c.method for c in expected], b=[c.method for c in actual], autojunk=False)
    for tag, e_start, e_end, a_start, a_end in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(e_end - e_start):
                e_call, a_call = expected[e_start + offset], actual[a_start + offset]
                for path, e_value, a_value in data_differences(e_call.args, a_call.args):
                    yield Finding(f"calls[{a_start + offset}] {a_call.method} args {path}", e_value, a_value)
            continue
        for index in range(e_start, e_end):
            yield Finding(f"calls[{index}] {expected[index].method}", dict(expected[index].args), NO_CALL)
        for index in range(a_start, a_end):
            yield Finding(f"calls[{index}] {actual[index].method}", NO_CALL, dict(actual[index].args))


def _responses(expected: ExchangeResponse, actual: ExchangeResponse) -> Iterator[Finding]:
    if expected.status != actual.status:
        yield Finding("status", expected.status, actual.status)
    if expected.media_type != actual.media_type:
        yield Finding("media type", expected.media_type or ABSENT, actual.media_type or ABSENT)
    for name in COMPARED_HEADERS:
        e_value, a_value = expected.header(name), actual.header(name)
        if e_value != a_value:
            yield Finding(f"header {name}", _or_absent(e_value), _or_absent(a_value))
    if expected.too_large or actual.too_large:
        if expected.too_large != actual.too_large:
            yield Finding("body size", _size(expected), _size(actual))
    else:
        yield from _bodies(expected, actual)
    if expected.complete != actual.complete:
        yield Finding("response complete", expected.complete, actual.complete)
    if _raised(expected) != _raised(actual):
        where = "raised after its response" if actual.complete and actual.raised is not None else "raised"
        yield Finding(where, _raised(expected) or ABSENT, _raised(actual) or ABSENT)


def _or_absent(value: str | None) -> Any:
    return ABSENT if value is None else value


def _size(response: ExchangeResponse) -> str:
    return "over the limit" if response.too_large else f"{len(response.body)} bytes"


def _raised(response: ExchangeResponse) -> dict[str, Any] | None:
    return None if response.raised is None else plain_exception(response.raised)


def _bodies(expected: ExchangeResponse, actual: ExchangeResponse) -> Iterator[Finding]:
    e_data, a_data = body_data(expected.media_type, expected.body), body_data(actual.media_type, actual.body)
    if isinstance(e_data, bytes) or isinstance(a_data, bytes):
        if expected.body != actual.body:
            yield Finding("body", expected.body, actual.body)
        return
    for path, e_value, a_value in data_differences(e_data, a_data):
        yield Finding(f"body {path}", e_value, a_value)


def data_differences(expected: Any, actual: Any, path: str = "$") -> Iterator[tuple[str, Any, Any]]:
    """Where two JSON values differ: (JSON path, expected value, actual value), `ABSENT` for a missing key."""
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        for key in [*expected, *(k for k in actual if k not in expected)]:
            child = f"{path}.{key}" if str(key).isidentifier() else f"{path}[{json.dumps(key)}]"
            yield from data_differences(expected.get(key, ABSENT), actual.get(key, ABSENT), child)
    elif isinstance(expected, list) and isinstance(actual, list):
        for index in range(max(len(expected), len(actual))):
            e_item = expected[index] if index < len(expected) else ABSENT
            a_item = actual[index] if index < len(actual) else ABSENT
            yield from data_differences(e_item, a_item, f"{path}[{index}]")
    elif type(expected) is not type(actual) or expected != actual:
        yield path, expected, actual
