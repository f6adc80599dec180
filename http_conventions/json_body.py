"""Parsing a JSON request body without holding the event loop; every failure a validation error.

`json.loads` holds the GIL from the first byte to the last, so it cannot be moved off the loop
by a thread: a 40 MB body of small values blocks every other request for two seconds whether
it runs on the loop or in a worker thread. A large body is therefore parsed in slices by
ijson's C parser, with a turn for the loop between slices, and refused once it holds more
tokens than validating it could afford. A small body takes the stdlib's one call, which
answers malformed JSON exactly as FastAPI always did.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

import ijson
from fastapi.exceptions import RequestValidationError

from http_conventions.loop_budget import LoopBudget

INCREMENTAL_FROM = 64 * 1024
"""Bodies of this many bytes or more are parsed in slices (smaller ones parse in well under a millisecond)."""
SLICE_BYTES = 64 * 1024
MAX_JSON_TOKENS = 100_000
"""The most tokens (keys, scalars, and the start and end of each object and array) a body may hold.

Validating 100,000 tokens of chat messages takes about 30 ms; text inside strings is not
counted, so this bounds the work of a body, not its size (`max_body_size` does that).
"""


def _invalid(loc: tuple[str | int, ...], msg: str, error_type: str = "json_invalid") -> RequestValidationError:
    return RequestValidationError([{"type": error_type, "loc": loc, "msg": msg, "input": {}}])


def _not_utf8(error: UnicodeDecodeError, offset: int = 0) -> RequestValidationError:
    position = offset + error.start
    encoding = error.encoding.upper()
    return _invalid(("body", position), f"The body is not valid {encoding}: {error.reason} at byte {position}")


def _loads(body: bytes) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        # FastAPI's own answer to malformed JSON, which clients of both sides have seen all along.
        raise _invalid(("body", exc.pos), "JSON decode error") from exc
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from exc


async def _parse_in_slices(body: bytes, max_tokens: int) -> Any:
    parsed = ijson.sendable_list()
    builder = ijson.items_coro(parsed, "", use_float=True)
    # A second C parser only counts tokens, so a body is refused before it is built whole.
    tokens = ijson.sendable_list()
    counter = ijson.basic_parse_coro(tokens)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    budget = LoopBudget()
    counted = 0
    for start in range(0, len(body), SLICE_BYTES):
        piece = body[start : start + SLICE_BYTES]
        pending = len(utf8.getstate()[0])
        try:
            utf8.decode(piece)
            counter.send(piece)
            counted += len(tokens)
            tokens.clear()
            if counted > max_tokens:
                raise _invalid(
                    ("body",),
                    f"The body holds more than {max_tokens} JSON tokens; send less per request",
                    "json_too_large",
                )
            builder.send(piece)
        except UnicodeDecodeError as exc:
            raise _not_utf8(exc, start - pending) from exc
        except ijson.JSONError as exc:
            raise _invalid(("body",), f"JSON decode error: {str(exc).splitlines()[0]}") from exc
        await budget.spend()
    try:
        utf8.decode(b"", final=True)
        counter.close()
        builder.close()
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc, len(body) - len(exc.object)) from exc
    except ijson.JSONError as exc:
        raise _invalid(("body",), f"JSON decode error: {str(exc).splitlines()[0]}") from exc
    return parsed[0]


async def parse_json_body(body: bytes, *, max_tokens: int = MAX_JSON_TOKENS) -> Any:
    """The JSON value of a request body, or a `RequestValidationError` saying what is wrong with it.

    Never holds the event loop for more than a slice of a large body.
    """
    if len(body) < INCREMENTAL_FROM:
        return _loads(body)
    return await _parse_in_slices(body, max_tokens)
