from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog

from gateway.logs import configure_logging

ESCAPE = "\x1b["


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _keep_root_handlers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("NO_COLOR", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers, root.level
    yield
    root.handlers, root.level = handlers, level


def _console_output(stdout: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(sys, "stdout", stdout)
    configure_logging("console")
    structlog.get_logger("test").info("flags_loaded", path="flags.yaml")
    logging.getLogger("uvicorn.error").info("Started server process [1]")
    return stdout.getvalue()


def test_console_logs_are_coloured_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    output = _console_output(Terminal(), monkeypatch)
    assert "flags_loaded" in output
    assert ESCAPE in output


def test_console_logs_are_plain_when_stdout_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    output = _console_output(io.StringIO(), monkeypatch)
    assert "flags_loaded" in output
    assert "Started server process [1]" in output
    assert ESCAPE not in output


def test_console_logs_are_plain_on_a_terminal_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    output = _console_output(Terminal(), monkeypatch)
    assert "flags_loaded" in output
    assert ESCAPE not in output
