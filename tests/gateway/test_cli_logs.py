"""`gateway logs` refuses what it cannot read or understand, with exit status 2 (its filters: tests/e2e)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

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
