from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import TextIO

import pytest

from gateway.colour import wants_colour


@pytest.fixture
def terminal() -> Iterator[TextIO]:
    """A real terminal: the writing end of a pseudo-terminal."""
    controller, device = os.openpty()
    try:
        with open(device, "w") as stream:
            yield stream
    finally:
        os.close(controller)


@pytest.fixture(autouse=True)
def _no_colour_preference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_colour_on_a_terminal(terminal: TextIO) -> None:
    assert wants_colour(terminal)


def test_no_colour_when_written_to_a_file_or_pipe() -> None:
    assert not wants_colour(io.StringIO())


def test_no_colour_on_a_terminal_when_no_color_is_set(terminal: TextIO, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(terminal)


def test_colour_on_a_terminal_when_no_color_is_empty(terminal: TextIO, monkeypatch: pytest.MonkeyPatch) -> None:
    # https://no-color.org: only a non-empty value turns colour off.
    monkeypatch.setenv("NO_COLOR", "")
    assert wants_colour(terminal)
