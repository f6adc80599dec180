"""Laying generated code out as the target project's own lint wants it: ruff's import sorting, then its formatter.

Ruff reads the configuration that applies to the file's path (line length, isort settings),
so the files pass the project's `ruff check` and `ruff format --check` as written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

# ruff ships no type information; `find_ruff_bin` is its documented way to the installed binary.
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from gateway.exceptions import ScaffoldError


def _ruff(arguments: list[str], code: str, path: Path) -> str:
    command = [find_ruff_bin(), *arguments, "--stdin-filename", str(path), "-"]
    done = subprocess.run(command, input=code, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ScaffoldError(f"{path}: ruff could not lay the generated code out: {done.stderr.strip()}")
    return done.stdout


def formatted(code: str, path: Path) -> str:
    """`code`, to be written at `path`, with its imports sorted and formatted."""
    return _ruff(["format"], _ruff(["check", "--fix-only", "--select", "I", "--quiet"], code, path), path)
