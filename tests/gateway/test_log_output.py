from __future__ import annotations

import asyncio
import os
import select
import subprocess
import sys
from collections.abc import Iterator

import pytest

from gateway.log_output import LogOutput


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read, write = os.pipe()
    os.set_blocking(read, False)
    try:
        yield read, write
    finally:
        os.close(read)
        os.close(write)


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 20)
    except BlockingIOError:
        return b""


def _counting_writes(fd: int) -> tuple[LogOutput, list[bytes]]:
    """An output to `fd`, and the list of what each of its `write` calls wrote."""
    output = LogOutput(fd)
    writes: list[bytes] = []
    output_write = output._write_all

    def counted(data: bytes) -> None:
        writes.append(data)
        output_write(data)

    output._write_all = counted  # type: ignore[method-assign]
    return output, writes


@pytest.mark.anyio
async def test_lines_of_one_loop_turn_are_written_together_at_its_end(pipe: tuple[int, int]) -> None:
    read, write = pipe
    output, writes = _counting_writes(write)
    for number in range(3):
        output.write(b'{"n": %d}\n' % number)

    assert _read(read) == b""
    await asyncio.sleep(0)
    assert _read(read) == b'{"n": 0}\n{"n": 1}\n{"n": 2}\n'
    assert len(writes) == 1


def test_without_a_running_loop_a_line_is_written_at_once(pipe: tuple[int, int]) -> None:
    read, write = pipe
    LogOutput(write).write(b"line\n")
    assert _read(read) == b"line\n"


@pytest.mark.anyio
async def test_a_text_line_comes_after_the_buffered_lines(pipe: tuple[int, int]) -> None:
    read, write = pipe
    output = LogOutput(write)
    output.write(b"request\n")
    output.text.write("other\n")
    output.text.flush()

    assert _read(read) == b"request\nother\n"
    await asyncio.sleep(0)
    assert _read(read) == b""


@pytest.mark.anyio
async def test_a_busy_turn_is_written_in_whole_lines_of_at_most_pipe_buf_bytes(pipe: tuple[int, int]) -> None:
    read, write = pipe
    output, writes = _counting_writes(write)
    lines = [b"%03d" % number + b"x" * 395 + b"\n" for number in range(30)]
    for line in lines:
        output.write(line)
    await asyncio.sleep(0)

    assert b"".join(writes) == b"".join(lines) == _read(read)
    assert len(writes) == 3
    assert all(len(data) <= select.PIPE_BUF and data.endswith(b"\n") for data in writes)


def test_a_loop_closed_before_its_flush_does_not_hold_later_lines(pipe: tuple[int, int]) -> None:
    read, write = pipe
    output = LogOutput(write)

    async def write_then_stop(line: bytes) -> None:
        output.write(line)
        asyncio.get_running_loop().stop()
        await asyncio.sleep(1)

    loop = asyncio.new_event_loop()
    with pytest.raises(RuntimeError, match="stopped before"):
        loop.run_until_complete(write_then_stop(b"first\n"))
    loop.close()

    async def write_one(line: bytes) -> None:
        output.write(line)
        await asyncio.sleep(0)

    asyncio.run(write_one(b"second\n"))
    assert _read(read) == b"first\nsecond\n"


def test_lines_buffered_when_the_process_exits_are_written() -> None:
    program = (
        "import asyncio, sys\n"
        "from gateway.log_output import LogOutput\n"
        "output = LogOutput(1)\n"
        "async def main():\n"
        "    output.write(b'buffered\\n')\n"
        "    sys.exit(3)\n"
        "asyncio.new_event_loop().run_until_complete(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout == b"buffered\n"
