from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
import pytest

from http_conventions import LoopBudget, sse_stream

pytestmark = pytest.mark.anyio


async def _longest_stall(work: Callable[[], Awaitable[None]]) -> float:
    """The longest another task waited for the loop while `work` ran, in seconds."""
    gaps: list[float] = []
    last = time.perf_counter()

    async def heartbeat() -> None:
        nonlocal last
        while True:
            await anyio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(heartbeat)
        await anyio.sleep(0)
        await work()
        # The wait of a heartbeat that never got its turn again counts too.
        gaps.append(time.perf_counter() - last)
        tasks.cancel_scope.cancel()
    return max(gaps)


async def _ready_items(count: int) -> AsyncIterator[dict[str, int]]:
    for index in range(count):
        yield {"index": index}


async def test_a_long_stream_of_ready_items_leaves_the_loop_to_others() -> None:
    async def stream() -> None:
        frames = 0
        async for _ in sse_stream(_ready_items(100_000)):
            frames += 1
        assert frames == 100_000

    started = time.perf_counter()
    stall = await _longest_stall(stream)
    # Relative to the whole run, so a loaded machine's preemption does not fail it: without
    # turns the one stall is the whole run (about 0.3 s here).
    assert stall < max(0.05, (time.perf_counter() - started) / 5)


async def test_spend_gives_a_turn_only_once_the_slice_is_used() -> None:
    budget = LoopBudget(slice_seconds=3600)
    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while True:
            await anyio.sleep(0)
            turns += 1

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(count_turns)
        for _ in range(1000):
            await budget.spend()
        tasks.cancel_scope.cancel()
    assert turns == 0
