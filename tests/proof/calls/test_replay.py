from __future__ import annotations

import pytest

from proof.calls import Capture, Raised, Replay, Streamed, UnrecordedCall, active, observe
from proof.calls.outcome import Call
from tests.proof.calls.toy import Item, Toy

pytestmark = pytest.mark.anyio


async def _captured(toy: Toy) -> list[Call]:
    capture = Capture()
    with active(capture):
        await toy.get("a")
        await toy.get("b")
        with pytest.raises(LookupError):
            await toy.fail()
        [item async for item in await toy.stream(2)]
        toy.count()
    return capture.calls()


async def test_replay_gives_each_call_the_recorded_object_and_never_calls_the_implementation() -> None:
    toy = observe(Toy())
    recorded = await _captured(toy)
    real_calls = list(toy.real_calls)
    replay = Replay(recorded)
    with active(replay):
        first, second = await toy.get("a"), await toy.get("b")
        assert toy.count() == recorded[-1].outcome.value  # type: ignore[union-attr]
    assert first is recorded[0].outcome.value  # type: ignore[union-attr]
    assert second is recorded[1].outcome.value  # type: ignore[union-attr]
    assert toy.real_calls == real_calls


async def test_replay_matches_calls_by_method_name_in_call_order() -> None:
    toy = observe(Toy())
    recorded = await _captured(toy)
    replay = Replay(recorded)
    with active(replay):
        # The count first: its outcome is the count's, whatever order the candidate calls in.
        assert toy.count() == 5
        assert (await toy.get("x")).name == "a"
    assert [(c.method, c.args) for c in replay.calls] == [("count", {}), ("get", {"name": "x", "size": 0})]


async def test_replay_raises_the_recorded_exception() -> None:
    toy = observe(Toy())
    recorded = await _captured(toy)
    with active(Replay(recorded)), pytest.raises(LookupError, match="no such toy"):
        await toy.fail()


async def test_replay_streams_the_recorded_items_then_the_recorded_error() -> None:
    toy = observe(Toy())
    items = (Item(name="one"), Item(name="two"))
    recorded = [
        Call("stream", {"count": 2}, Streamed(items), awaited=True),
        Call("generate", {"count": 3}, Streamed(items, RuntimeError("stream broke"))),
    ]
    got = []
    with active(Replay(recorded)):
        assert [item async for item in await toy.stream(7)] == list(items)
        with pytest.raises(RuntimeError, match="stream broke"):
            async for item in toy.generate(3):
                got.append(item)
    assert got == list(items)
    assert toy.real_calls == []


async def test_an_unrecorded_call_raises_naming_it_and_is_kept() -> None:
    toy = observe(Toy())
    replay = Replay([Call("get", {"name": "a", "size": 0}, Raised(LookupError()))])
    with active(replay), pytest.raises(UnrecordedCall, match="'count'"):
        toy.count()
    with active(replay), pytest.raises(UnrecordedCall, match="'generate'"):
        [item async for item in toy.generate(1)]
    assert [c.method for c in replay.calls] == ["count", "generate"]
    assert toy.real_calls == []
