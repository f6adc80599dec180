from __future__ import annotations

import base64
import functools
from collections.abc import AsyncGenerator
from tempfile import SpooledTemporaryFile
from typing import BinaryIO, cast

import pytest
from fastapi import UploadFile
from starlette.datastructures import Headers

from proof.calls import Capture, Raised, Returned, Streamed, active, observe
from tests.proof.calls.toy import Item, Toy

pytestmark = pytest.mark.anyio


def test_observe_keeps_the_same_object_and_class() -> None:
    toy = Toy()
    observed = observe(toy)
    assert observed is toy
    assert type(observed) is Toy and isinstance(observed, Toy)
    # The class is untouched: only the instance has the wrappers.
    assert "get" not in vars(Toy()) and "get" in vars(toy)


def test_observe_twice_wraps_once() -> None:
    toy = observe(Toy())
    wrapper = toy.get
    assert observe(toy).get is wrapper


def test_observe_leaves_private_methods_alone() -> None:
    toy = observe(Toy())
    assert "_items" not in vars(toy)


async def test_without_an_observer_calls_run_as_before() -> None:
    toy = observe(Toy())
    assert await toy.get("a") == Item(name="a")
    assert toy.count() == 2
    assert toy.real_calls == ["get", "count"]


async def test_capture_keeps_arguments_by_name_with_defaults_and_the_returned_object() -> None:
    toy = observe(Toy())
    capture = Capture()
    with active(capture):
        item = await toy.get("a")
        await toy.get(name="b", size=2)
    first, second = capture.calls()
    assert (first.method, first.args) == ("get", {"name": "a", "size": 0})
    assert isinstance(first.outcome, Returned) and first.outcome.value is item
    assert second.args == {"name": "b", "size": 2}


async def test_capture_keeps_models_as_plain_data_taken_when_the_call_is_made() -> None:
    toy = observe(Toy())
    capture = Capture()
    item = Item(name="a")
    with active(capture):
        await toy.put(item)
    item.size = 99
    (call,) = capture.calls()
    assert call.args == {"item": {"name": "a", "size": 0}}


@pytest.mark.parametrize("spooled_to_disk", [False, True], ids=["in-memory", "on-disk"])
async def test_capture_keeps_an_uploads_content_after_it_is_closed(spooled_to_disk: bool) -> None:
    toy = observe(Toy())
    content = b"\x00\xffpayload" * 100
    spool = SpooledTemporaryFile(max_size=10 if spooled_to_disk else 2**20)
    spool.write(content)
    spool.seek(0)
    upload = UploadFile(
        cast(BinaryIO, spool), size=len(content), filename="a.bin", headers=Headers({"content-type": "x/y"})
    )
    capture = Capture()
    with active(capture):
        assert await toy.store(upload) == len(content)
    # As Starlette does once the response is sent, before a recording's line is written.
    await upload.close()
    (call,) = capture.calls()
    assert call.args == {
        "file": {
            "filename": "a.bin",
            "content_type": "x/y",
            "size": len(content),
            "content_b64": base64.b64encode(content).decode(),
        }
    }


async def test_capture_records_only_the_outermost_call() -> None:
    toy = observe(Toy())
    capture = Capture()
    with active(capture):
        await toy.put(Item(name="a"))
    assert [c.method for c in capture.calls()] == ["put"]
    assert toy.real_calls == ["put", "get"]


async def test_capture_records_a_raised_exception_and_lets_it_through() -> None:
    toy = observe(Toy())
    capture = Capture()
    with active(capture), pytest.raises(LookupError) as raised:
        await toy.fail()
    (call,) = capture.calls()
    assert isinstance(call.outcome, Raised) and call.outcome.error is raised.value
    assert call.outcome.as_data() == {"raised": {"type": "builtins:LookupError", "args": ["no such toy"]}}


async def test_capture_records_streamed_items_of_an_awaited_iterator() -> None:
    toy = observe(Toy())
    capture = Capture()
    with active(capture):
        items = [item async for item in await toy.stream(2)]
    (call,) = capture.calls()
    assert call.outcome == Streamed(tuple(items))
    assert call.outcome.as_data() == {"streamed": [{"name": "item-0", "size": 0}, {"name": "item-1", "size": 0}]}


async def test_capture_records_streamed_items_then_the_error_that_ended_the_stream() -> None:
    toy = observe(Toy())
    capture = Capture()
    seen = []
    with active(capture), pytest.raises(RuntimeError):
        async for item in toy.generate(3, fail_after=1):
            seen.append(item)
    (call,) = capture.calls()
    assert isinstance(call.outcome, Streamed)
    assert call.outcome.items == tuple(seen) and isinstance(call.outcome.error, RuntimeError)


async def test_a_stream_left_unread_is_unfinished_not_a_call() -> None:
    toy = observe(Toy())
    capture = Capture()
    with active(capture):
        stream = toy.generate(3)
        assert isinstance(stream, AsyncGenerator)
        await anext(stream)
        await stream.aclose()
    assert capture.calls() == [] and capture.unfinished == ["generate"]


async def test_capture_records_a_plain_method() -> None:
    toy = observe(Toy())
    capture = Capture()
    with active(capture):
        toy.count()
    (call,) = capture.calls()
    assert call.outcome == Returned(1)


class _Kinds(dict[str, int]):
    @staticmethod
    def helper(value: int) -> int:
        return value + 1

    @classmethod
    def build(cls) -> _Kinds:
        return cls()

    @property
    def size(self) -> int:
        return 1

    @functools.cached_property
    def computed(self) -> list[str]:
        self.computed_at_read = True
        return ["once"]


def test_observe_takes_static_class_and_compiled_methods_and_leaves_properties_unread() -> None:
    kinds = observe(_Kinds())
    # `keys` is dict's, compiled.
    assert {"helper", "build", "keys"} <= set(vars(kinds))
    assert not {"size", "computed", "computed_at_read"} & set(vars(kinds))
    assert kinds.computed == ["once"]
    assert kinds.helper(1) == 2 and kinds.size == 1 and list(kinds.keys()) == []
    assert isinstance(kinds.build(), _Kinds)


def test_observe_names_an_object_that_takes_no_attributes() -> None:
    class Slotted:
        __slots__ = ()

        def get(self) -> int:
            return 1

    with pytest.raises(TypeError, match="Slotted"):
        observe(Slotted())
