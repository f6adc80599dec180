from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog

from gateway import request_line
from gateway.log_context import LineFields, RequestContext
from gateway.log_output import LogOutput
from gateway.logs import configure_logging
from gateway.request_line import JsonLines, StructlogLines, request_lines

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")

CONTEXTS = [
    pytest.param(
        RequestContext("r-1", LineFields("migrated", "models", "/v1/models/{model_id:path}", "api", "migrated")),
        id="routed",
    ),
    pytest.param(RequestContext("r-2", LineFields("gateway")), id="gateway-answered"),
    pytest.param(
        RequestContext(
            'quote"back\\slash', LineFields("legacy", "files", "/v1/files", "route", "shadow"), {"user": "a"}
        ),
        id="bound-user-and-escaped-id",
    ),
]


@pytest.fixture
def fd_file(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    path = tmp_path / "lines.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        yield fd, path
    finally:
        os.close(fd)


def _structlog_json_line(context: RequestContext, path: str | None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The line as structlog's JSONRenderer writes it through the gateway's own processor chain."""
    stream = io.StringIO()
    configure_logging("json")
    processors = structlog.get_config()["processors"]
    monkeypatch.setattr(request_line, "log", structlog.wrap_logger(structlog.WriteLogger(stream), processors))
    StructlogLines().write(context, "GET", path, 200, 0.0012345, False)
    line: dict[str, Any] = json.loads(stream.getvalue())
    return line


@pytest.mark.parametrize("context", CONTEXTS)
def test_json_line_has_the_keys_and_values_of_the_structlog_line(
    context: RequestContext, fd_file: tuple[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fd, path = fd_file
    JsonLines(LogOutput(fd)).write(context, "GET", "/v1/models/é/x", 200, 0.0012345, False)

    text = path.read_text(encoding="utf-8")
    # json.dumps's separators, as in structlog's lines: people grep for `"event": "request"`.
    assert '"event": "request", ' in text and ', "status": 200, ' in text
    fast = json.loads(text)
    slow = _structlog_json_line(context, "/v1/models/é/x", monkeypatch)
    assert ISO_UTC.fullmatch(fast.pop("timestamp")) and ISO_UTC.fullmatch(slow.pop("timestamp"))
    assert fast == slow
    assert fast["event"] == "request" and fast["duration_ms"] == 1.234 and fast["pid"] == os.getpid()


def test_json_lines_are_one_line_each_and_whole(fd_file: tuple[int, Path]) -> None:
    fd, path = fd_file
    lines = JsonLines(LogOutput(fd))
    for number in range(3):
        lines.write(RequestContext(f"r-{number}", LineFields("gateway")), "GET", "/x\n", 404, 0.0, number == 2)

    parsed = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["request_id"], line["path"], line["disconnected"]) for line in parsed] == [
        ("r-0", "/x\n", False),
        ("r-1", "/x\n", False),
        ("r-2", "/x\n", True),
    ]


def test_json_line_timestamp_is_the_current_utc_time_as_structlog_writes_it(fd_file: tuple[int, Path]) -> None:
    fd, path = fd_file
    lines = JsonLines(LogOutput(fd))
    before = datetime.now(UTC)
    for number in range(3):
        lines.write(RequestContext(f"r-{number}", LineFields("gateway")), "GET", "/", 200, 0.0, False)
    after = datetime.now(UTC)

    stamps = [json.loads(line)["timestamp"] for line in path.read_text().splitlines()]
    assert all(ISO_UTC.fullmatch(stamp) for stamp in stamps)
    parsed = [datetime.fromisoformat(stamp) for stamp in stamps]
    assert before.replace(microsecond=0) <= parsed[0] <= parsed[-1] <= after


def test_json_logging_on_a_real_stdout_writes_lines_without_structlog(monkeypatch: pytest.MonkeyPatch) -> None:
    with open(os.devnull, "w") as devnull:
        monkeypatch.setattr(sys, "stdout", devnull)
        configure_logging("json")
        assert isinstance(request_lines(), JsonLines)
        configure_logging("console")
        assert isinstance(request_lines(), StructlogLines)


def test_json_logging_on_a_stand_in_stdout_keeps_the_structlog_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    configure_logging("json")
    assert isinstance(request_lines(), StructlogLines)
