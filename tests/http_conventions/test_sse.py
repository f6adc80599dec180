from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any

import anyio
import pytest
from pydantic import BaseModel

from http_conventions import ResourceNotFoundError, is_streaming_call, sse_event, sse_stream
from tests.captured_logs import captured_logs


class Delta(BaseModel):
    text: str
    done: bool = False


class Params(BaseModel):
    stream: bool = False


@pytest.fixture(autouse=True)
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with captured_logs() as captured:
        yield captured


class Source:
    """An implementation's async iterator that records whether it was closed."""

    def __init__(self, items: list[Any], fail_after: int | None = None) -> None:
        self.items = items
        self.fail_after = fail_after
        self.closed = False

    async def iterate(self) -> AsyncIterator[Any]:
        try:
            for index, item in enumerate(self.items):
                if index == self.fail_after:
                    raise TimeoutError("provider stalled")
                await anyio.sleep(0)
                yield item
        finally:
            self.closed = True

    async def call(self) -> AsyncIterator[Any]:
        return self.iterate()


async def _collect(events: AsyncIterator[str]) -> list[str]:
    return [event async for event in events]


def test_sse_event_frames_a_model_compactly() -> None:
    assert sse_event(Delta(text="hi")) == 'data: {"text":"hi","done":false}\n\n'


def test_sse_event_frames_plain_data_with_json_dumps() -> None:
    assert sse_event({"a": [1, None]}) == 'data: {"a": [1, null]}\n\n'


@pytest.mark.parametrize(
    ("arguments", "streaming"),
    [
        pytest.param({"stream": True}, True, id="top-level-true"),
        pytest.param({"stream": False}, False, id="top-level-false"),
        pytest.param({"stream": None}, False, id="top-level-none"),
        pytest.param({"params": Params(stream=True)}, True, id="params-model-true"),
        pytest.param({"params": Params()}, False, id="params-model-false"),
        pytest.param({"params": {"stream": True}}, False, id="params-dict-is-not-read"),
        pytest.param({"stream": False, "params": Params(stream=True)}, False, id="top-level-wins"),
        pytest.param({"prompt": "hi"}, False, id="no-stream-argument"),
    ],
)
def test_is_streaming_call(arguments: dict[str, Any], streaming: bool) -> None:
    assert is_streaming_call(arguments) is streaming


@pytest.mark.anyio
async def test_sse_stream_awaits_the_call_and_frames_each_item() -> None:
    source = Source([Delta(text="a"), Delta(text="b", done=True)])
    assert await _collect(sse_stream(source.call())) == [
        'data: {"text":"a","done":false}\n\n',
        'data: {"text":"b","done":true}\n\n',
    ]
    assert source.closed


@pytest.mark.anyio
async def test_sse_stream_accepts_an_async_iterator() -> None:
    source = Source([{"n": 1}])
    assert await _collect(sse_stream(source.iterate())) == ['data: {"n": 1}\n\n']


@pytest.mark.anyio
async def test_sse_stream_error_before_first_item_is_one_error_event(logs: list[MutableMapping[str, Any]]) -> None:
    async def call() -> AsyncIterator[Any]:
        raise ResourceNotFoundError("Model", "m1")

    assert await _collect(sse_stream(call())) == ['data: {"error": {"message": "404: Model \'m1\' not found"}}\n\n']
    assert [entry["event"] for entry in logs] == ["stream_error"]


@pytest.mark.anyio
async def test_sse_stream_error_mid_stream_follows_the_items_so_far() -> None:
    source = Source([{"n": 1}, {"n": 2}, {"n": 3}], fail_after=2)
    assert await _collect(sse_stream(source.call())) == [
        'data: {"n": 1}\n\n',
        'data: {"n": 2}\n\n',
        'data: {"error": {"message": "504: Operation timed out: provider stalled"}}\n\n',
    ]
    assert source.closed


@pytest.mark.anyio
async def test_sse_stream_unexpected_error_hides_its_message() -> None:
    async def call() -> AsyncIterator[Any]:
        raise RuntimeError("secret detail")

    assert await _collect(sse_stream(call())) == [
        'data: {"error": {"message": "500: Internal server error: An unexpected error occurred."}}\n\n'
    ]


@pytest.mark.anyio
async def test_closing_sse_stream_closes_the_implementation_iterator() -> None:
    source = Source([{"n": 1}, {"n": 2}, {"n": 3}])
    events = sse_stream(source.call())
    assert await anext(events) == 'data: {"n": 1}\n\n'
    await events.aclose()  # type: ignore[attr-defined]
    assert source.closed


@pytest.mark.anyio
async def test_cancelling_sse_stream_closes_the_implementation_iterator() -> None:
    started = anyio.Event()

    class Waiting(Source):
        async def iterate(self) -> AsyncIterator[Any]:
            try:
                yield {"n": 1}
                started.set()
                await anyio.sleep_forever()
                yield {"n": 2}
            finally:
                self.closed = True

    source = Waiting([])
    received: list[str] = []

    async def consume() -> None:
        async for event in sse_stream(source.call()):
            received.append(event)

    async with anyio.create_task_group() as group:
        group.start_soon(consume)
        await started.wait()
        group.cancel_scope.cancel()
    assert received == ['data: {"n": 1}\n\n']
    assert source.closed
