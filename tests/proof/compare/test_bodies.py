from __future__ import annotations

import pytest

from proof.compare.bodies import sse_body, sse_events

STREAMS = [
    pytest.param(b'data: {"n": 1}\n\ndata: [DONE]\n\n', id="json-and-text"),
    pytest.param(b'event: error\ndata: {"message": "boom"}\n\n', id="fields"),
    pytest.param(b': keep-alive\n\ndata: "quoted"\n\ndata: 12\n\n', id="comment-and-scalars"),
    pytest.param(b"data: caf\xc3\xa9\r\n\r\ndata: cut sho", id="crlf-and-unterminated"),
]


@pytest.mark.parametrize("stream", STREAMS)
def test_a_stream_rebuilt_from_its_events_reads_as_the_same_events(stream: bytes) -> None:
    events = sse_events(stream)
    assert sse_events(sse_body(events)) == events


def test_a_data_value_shaped_like_fields_does_not_come_back_the_same() -> None:
    # The recording keeps such a stream as its body: its events would not give it back.
    events = sse_events(b'data: [["event", 1]]\n\n')
    assert sse_events(sse_body(events)) != events
