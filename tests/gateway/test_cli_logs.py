"""`gateway logs` refuses what it cannot read or understand, with exit status 2 (its filters: tests/e2e)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import gateway.cli.logs as logs_command
from gateway.cli import app

runner = CliRunner()


def _words(output: str) -> str:
    # typer draws its error in a box whose width depends on the terminal.
    return " ".join(output.replace("│", " ").split())


def test_logs_refuses_a_status_that_is_neither_a_code_nor_a_class(tmp_path: Path) -> None:
    result = runner.invoke(app, ["logs", str(tmp_path), "--status", "teapot"])
    assert result.exit_code == 2
    assert "Invalid value for '--status': a status such as 404 or a class such as 5xx, not 'teapot'" in _words(
        result.output
    )


def test_logs_refuses_a_backend_that_does_not_exist(tmp_path: Path) -> None:
    result = runner.invoke(app, ["logs", str(tmp_path), "--backend", "new"])
    assert result.exit_code == 2
    assert "'new' is not one of 'legacy', 'migrated', 'gateway'" in _words(result.output)


def test_logs_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    result = runner.invoke(app, ["logs", str(tmp_path / "nothing.jsonl")])
    assert result.exit_code == 2
    assert f"error: cannot read {tmp_path / 'nothing.jsonl'}: No such file or directory" in result.output


class _GrowingFile:
    """A file the server is still writing: at its end now, a line half-written, then the rest."""

    def __init__(self, *reads: str) -> None:
        self.reads = list(reads)

    def readline(self) -> str:
        return self.reads.pop(0)


def test_logs_follow_waits_at_the_end_and_for_the_end_of_a_half_written_line() -> None:
    line = '{"event": "request"}\n'
    stream = _GrowingFile("", line[:7], "", line[7:], "")
    followed = logs_command._followed(stream, poll_seconds=0)  # type: ignore[arg-type]
    assert next(followed) == line
    assert stream.reads == [""]


def test_logs_reads_standard_input(tmp_path: Path) -> None:
    line = (
        '{"event": "request", "method": "GET", "path": "/v1/models", "route": "/v1/models", "api": "models",'
        ' "backend": "migrated", "status": 503, "duration_ms": 2.0, "request_id": "r1", "timestamp": "x"}\n'
    )
    result = runner.invoke(app, ["logs", "--status", "5xx"], input=line)
    assert result.exit_code == 0, result.output
    assert "503 migrated GET /v1/models  2.0 ms" in result.output
    assert "│ GET /v1/models │ migrated │        1 │   0 │   1 │" in result.output
