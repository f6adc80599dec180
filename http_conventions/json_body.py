"""Parsing a JSON request body without holding the event loop; every failure a validation error.

`json.loads` is one C call that holds the GIL from the first byte to the last: no thread can
take it off the loop. What makes it slow is the number of values, not the bytes (40 MB of
small values take two seconds, 50 MB of text in strings 60 ms). So a large body is first
checked in slices, with a turn for the loop between slices: its UTF-8, and the number of
values it holds (counted by the commas, colons and opening brackets outside strings). Over
`MAX_JSON_VALUES` it is refused unparsed; otherwise one `json.loads` of it is quick.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from fastapi.exceptions import RequestValidationError

from http_conventions.loop_budget import LoopBudget

CHECKED_FROM = 64 * 1024
"""Bodies of this many bytes or more are checked in slices before they are parsed."""
SLICE_BYTES = 64 * 1024
MAX_JSON_VALUES = 100_000
"""The most values a JSON body may hold; parsing and validating that many takes tens of milliseconds."""

# The rest of a string from inside it: runs of plain bytes and escape pairs, up to the closing quote.
_STRING_REST = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
_STRUCTURE = (b",", b":", b"{", b"[")
_BACKSLASH = ord("\\")


def _invalid(loc: tuple[str | int, ...], msg: str, error_type: str = "json_invalid") -> RequestValidationError:
    return RequestValidationError([{"type": error_type, "loc": loc, "msg": msg, "input": {}}])


def _not_utf8(error: UnicodeDecodeError, offset: int = 0) -> RequestValidationError:
    position = offset + error.start
    return _invalid(
        ("body", position), f"The body is not valid {error.encoding.upper()}: {error.reason} at byte {position}"
    )


def _loads(document: str | bytes) -> Any:
    try:
        return json.loads(document)
    except json.JSONDecodeError as exc:
        # FastAPI's own answer to malformed JSON, which clients of both sides have seen all along.
        raise _invalid(("body", exc.pos), "JSON decode error") from exc
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from exc


class _ValueCounter:
    """Counts the values of a JSON text fed in pieces, by its structure outside strings."""

    def __init__(self) -> None:
        self.values = 1
        self._in_string = False
        self._escaped = False

    def feed(self, piece: bytes) -> None:
        position, end = 0, len(piece)
        while position < end:
            if not self._in_string:
                quote = piece.find(b'"', position)
                stop = end if quote < 0 else quote
                self.values += sum(piece.count(mark, position, stop) for mark in _STRUCTURE)
                if quote < 0:
                    return
                self._in_string, position = True, quote + 1
            elif self._escaped:
                self._escaped, position = False, position + 1
            else:
                match = _STRING_REST.match(piece, position)
                position = match.end() if match else position
                if position < end:
                    # At a backslash the match ran out of bytes: its escaped byte opens the next piece.
                    self._escaped = piece[position] == _BACKSLASH
                    self._in_string = self._escaped
                    position += 1


async def _checked_text(body: bytes, max_values: int) -> str:
    utf8 = codecs.getincrementaldecoder("utf-8")()
    counter = _ValueCounter()
    budget = LoopBudget()
    pieces: list[str] = []
    for start in range(0, len(body), SLICE_BYTES):
        piece = body[start : start + SLICE_BYTES]
        pending = len(utf8.getstate()[0])
        try:
            pieces.append(utf8.decode(piece))
        except UnicodeDecodeError as exc:
            raise _not_utf8(exc, start - pending) from exc
        counter.feed(piece)
        if counter.values > max_values:
            raise _invalid(
                ("body",), f"The body holds more than {max_values} JSON values; send fewer", "json_too_large"
            )
        await budget.spend()
    try:
        pieces.append(utf8.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc, len(body) - len(exc.object)) from exc
    return "".join(pieces)


async def parse_json_body(body: bytes, *, max_values: int = MAX_JSON_VALUES) -> Any:
    """The JSON value of a request body, or a `RequestValidationError` saying what is wrong with it.

    A small body parses in well under a millisecond; a large one is checked first (see the
    module) and holds the loop only for the one `json.loads` of a body known to be cheap.
    """
    if len(body) < CHECKED_FROM:
        return _loads(body)
    return _loads(await _checked_text(body, max_values))
