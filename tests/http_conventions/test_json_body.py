from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError

from http_conventions.json_body import CHECKED_FROM, SLICE_BYTES, _ValueCounter, parse_json_body

pytestmark = pytest.mark.anyio


def _large(value: Any) -> bytes:
    body = json.dumps(value).encode()
    assert len(body) >= CHECKED_FROM
    return body


async def _error(body: bytes, **limits: int) -> dict[str, Any]:
    with pytest.raises(RequestValidationError) as caught:
        await parse_json_body(body, **limits)
    (error,) = caught.value.errors()
    return dict(error)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"messages": [{"role": "user", "content": "word " * 40}] * 500}, id="many-small-strings"),
        pytest.param({"content": 'quote " backslash \\ comma , colon : ' * 4000}, id="one-string-with-escapes"),
        pytest.param([1.5, None, True, {"k": [1, 2]}] * 5000, id="scalars"),
    ],
)
async def test_large_body_parses_as_json_loads_does(value: Any) -> None:
    assert await parse_json_body(_large(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"a": "\xff"}', id="small"),
        pytest.param(b'{"a": "' + b"x" * (SLICE_BYTES + 10) + b'\xff"}', id="large-second-slice"),
        pytest.param(b'{"a": "' + b"x" * (SLICE_BYTES - 8) + b'\xe2\x82"}', id="large-cut-character"),
    ],
)
async def test_invalid_utf8_names_the_byte(body: bytes) -> None:
    position = body.index(b"\xff") if b"\xff" in body else body.index(b"\xe2")
    error = await _error(body)
    assert error["type"] == "json_invalid"
    assert error["loc"] == ("body", position)
    assert error["msg"].startswith("The body is not valid UTF-8") and error["msg"].endswith(f"at byte {position}")


async def test_invalid_utf8_at_the_very_end_of_a_large_body() -> None:
    body = b'"' + b"x" * CHECKED_FROM + b'"\xe2'
    assert (await _error(body))["loc"] == ("body", len(body) - 1)


@pytest.mark.parametrize(
    "body",
    [pytest.param(b'{"a": 1,}', id="small"), pytest.param(_large({"a": "x" * CHECKED_FROM})[:-1], id="large")],
)
async def test_malformed_json_is_fastapis_json_decode_error(body: bytes) -> None:
    error = await _error(body)
    assert (error["type"], error["msg"], error["loc"][0]) == ("json_invalid", "JSON decode error", "body")


async def test_a_body_of_too_many_values_is_refused_before_it_is_parsed() -> None:
    error = await _error(_large(list(range(20_000))), max_values=10_000)
    assert (error["type"], error["loc"]) == ("json_too_large", ("body",))
    assert "more than 10000 JSON values" in error["msg"]


async def test_text_inside_strings_does_not_count_as_values() -> None:
    body = _large({"content": ", : [ { " * 50_000})
    assert (await parse_json_body(body, max_values=10))["content"].startswith(", : [")


@pytest.mark.parametrize("split", range(40))
def test_value_counter_gives_the_same_count_however_the_text_is_cut(split: int) -> None:
    text = b'{"a": "x,\\"y:\\\\", "b": [1, 2, {"c": "\\\\\\""}], "d": null}'
    whole = _ValueCounter()
    whole.feed(text)
    cut = _ValueCounter()
    cut.feed(text[:split])
    cut.feed(text[split:])
    # The object, a, its string, b, its array, 1, 2, the inner object, c, its string, d, null.
    assert whole.values == cut.values == 12
