from __future__ import annotations

import json
from typing import Any

from proof import Call, Returned, diff
from proof.compare import DIFF_LIMIT, Exchange, ExchangeRequest, ExchangeResponse

REQUEST = ExchangeRequest({"type": "http", "method": "GET", "path": "/v1/things"}, b"")


def _exchange(
    status: int = 200,
    body: bytes | Any = b"",
    media_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
    calls: tuple[Call, ...] = (),
    raised: BaseException | None = None,
) -> Exchange:
    raw = [(b"content-type", media_type.encode())] if media_type else []
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(REQUEST, calls, ExchangeResponse(status, tuple(raw), content, complete=True, raised=raised))


def _where(legacy: Exchange, migrated: Exchange) -> list[str]:
    return [f.where for f in diff(legacy, migrated).findings]


def test_equal_exchanges_match() -> None:
    assert diff(_exchange(body={"a": [1, 2]}), _exchange(body={"a": [1, 2]})).matched


def test_json_compared_as_data_not_bytes() -> None:
    assert diff(_exchange(body=b'{"a": 1, "b": 2}'), _exchange(body=b'{"b":2,"a":1}')).matched


def test_json_differences_named_by_path_with_both_values() -> None:
    legacy = _exchange(body={"data": [{"id": "x", "purpose": "batch"}], "has_more": False})
    migrated = _exchange(body={"data": [{"id": "x"}], "has_more": 0})
    result = diff(legacy, migrated)
    assert result.text() == (
        'body $.data[0].purpose: legacy "batch" | migrated (absent)\nbody $.has_more: legacy false | migrated 0'
    )


def test_status_media_type_and_the_named_headers_compared() -> None:
    legacy = _exchange(204, media_type=None, headers={"location": "/a", "allow": "GET"})
    migrated = _exchange(200, body=None, headers={"location": "/b", "content-disposition": "attachment"})
    assert _where(legacy, migrated) == [
        "status",
        "media type",
        "header allow",
        "header location",
        "header content-disposition",
    ]


def test_other_headers_and_media_type_parameters_are_not_compared() -> None:
    legacy = _exchange(media_type="application/json", headers={"date": "today", "content-length": "2"})
    migrated = _exchange(media_type="application/json; charset=utf-8", headers={"date": "tomorrow"})
    assert diff(legacy, migrated).matched


def test_other_bytes_compared_exactly() -> None:
    assert _where(_exchange(body=b"abc", media_type="text/plain"), _exchange(body=b"abd", media_type="text/plain")) == [
        "body"
    ]


def test_sse_compared_event_by_event() -> None:
    legacy = _exchange(body=b'data: {"n": 1}\n\ndata: {"n": 2}\n\n', media_type="text/event-stream")
    same = _exchange(body=b'data:{"n":1}\r\n\r\ndata: {"n": 2}\n\n', media_type="text/event-stream")
    reframed = _exchange(body=b'event: chunk\ndata: {"n": 1}\n\ndata: {"n": 3}\n\n', media_type="text/event-stream")
    assert diff(legacy, same).matched
    assert _where(legacy, reframed) == ["body $[0]", "body $[1].n"]


def test_an_unterminated_event_is_a_difference() -> None:
    legacy = _exchange(body=b"data: 1\n\n", media_type="text/event-stream")
    cut = _exchange(body=b"data: 1", media_type="text/event-stream")
    assert _where(legacy, cut) == ["body $[0]"]


def test_calls_compared_by_method_in_order_and_arguments_as_data() -> None:
    outcome = Returned(None)
    legacy = _exchange(calls=(Call("get", {"id": "a"}, outcome), Call("put", {"id": "a", "n": 1}, outcome)))
    migrated = _exchange(
        calls=(Call("list", {}, outcome), Call("get", {"id": "a"}, outcome), Call("put", {"id": "a", "n": 2}, outcome))
    )
    assert diff(legacy, migrated).text() == (
        "calls[0] list: legacy (no call) | migrated {}\ncalls[2] put args $.n: legacy 1 | migrated 2"
    )


def test_a_missing_call_is_named() -> None:
    legacy = _exchange(calls=(Call("delete", {"id": "a"}, Returned(None)),))
    assert diff(legacy, _exchange()).text() == 'calls[0] delete: legacy {"id": "a"} | migrated (no call)'


def test_raising_after_a_complete_response_is_a_mismatch() -> None:
    result = diff(_exchange(), _exchange(raised=RuntimeError("late")))
    assert result.text() == (
        'raised after its response: legacy (absent) | migrated {"args": ["late"], "type": "builtins:RuntimeError"}'
    )


def test_diff_text_capped_at_4_kib_with_a_count_of_what_was_left_out() -> None:
    legacy = _exchange(body={f"field_{i}": "x" * 150 for i in range(100)})
    migrated = _exchange(body={f"field_{i}": "y" * 150 for i in range(100)})
    text = diff(legacy, migrated).text()
    assert len(text.encode()) <= DIFF_LIMIT
    assert text.splitlines()[0].startswith('body $.field_0: legacy "xxx')
    kept = len(text.splitlines()) - 1
    assert text.splitlines()[-1] == f"... {100 - kept} more findings"


def test_long_values_shortened_in_the_text() -> None:
    text = diff(_exchange(body={"a": "x" * 1000}), _exchange(body={"a": "y"})).text()
    assert len(text) < 300 and text.startswith('body $.a: legacy "xxx') and text.endswith('xxx... | migrated "y"')
