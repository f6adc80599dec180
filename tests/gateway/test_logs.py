from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from gateway.log_context import LineFields, RequestContext
from gateway.logs import configure_logging
from gateway.request_line import request_lines

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


@pytest.mark.anyio
async def test_json_lines_keep_their_order_when_request_lines_are_batched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open(tmp_path / "stdout", "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        configure_logging("json")
        context = RequestContext("r-1", LineFields("gateway"))
        request_lines().write(context, "GET", "/x", 404, 0.001, False)
        structlog.get_logger("test").info("after_the_request")
        logging.getLogger("uvicorn.error").info("after_both")
        request_lines().write(context, "GET", "/y", 404, 0.001, False)
        await asyncio.sleep(0)

    lines = [json.loads(line) for line in (tmp_path / "stdout").read_text().splitlines()]
    assert [(line["event"], line.get("path")) for line in lines] == [
        ("request", "/x"),
        ("after_the_request", None),
        ("after_both", None),
        ("request", "/y"),
    ]
