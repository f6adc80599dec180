from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

import gateway.exceptions
import legacy_adapter.exceptions
from gateway.exceptions import MAX_MESSAGE_CHARS, FlagsError, capped


@pytest.mark.parametrize("length", [0, 10, MAX_MESSAGE_CHARS])
def test_capped_message_within_the_limit_is_unchanged(length: int) -> None:
    assert capped("x" * length) == "x" * length


def test_capped_message_over_the_limit_ends_with_an_ellipsis_and_its_full_length() -> None:
    message = capped("x" * 5000, limit=100)
    assert len(message) == 100
    assert message.endswith("x… [5,000 characters in all]")


def test_flags_error_caps_the_message_and_the_problem() -> None:
    error = FlagsError(Path("flags.yaml"), "apis.models", "unknown mode " + "x" * 10_000)
    assert len(str(error)) == len(error.problem) == MAX_MESSAGE_CHARS
    assert str(error).startswith("flags.yaml: apis.models: unknown mode xxx")


def _drawn_tree(module: ModuleType) -> dict[str, str]:
    """Each error the module's docstring draws, by name, with the parent it is drawn under."""
    drawn: dict[str, str] = {}
    parents: list[str] = []
    for line in (module.__doc__ or "").splitlines():
        match = re.match(r"^((?:[│ ]   )*)(?:[├└]── )?(\w+Error)\b", line)
        if match is None:
            continue
        depth = len(match.group(1)) // 4 + (1 if "──" in line else 0)
        del parents[depth:]
        drawn[match.group(2)] = parents[-1] if parents else "Exception"
        parents.append(match.group(2))
    return drawn


def _defined_tree(module: ModuleType) -> dict[str, str]:
    return {
        name: value.__bases__[0].__name__
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == module.__name__
    }


@pytest.mark.parametrize("module", [gateway.exceptions, legacy_adapter.exceptions], ids=lambda m: m.__name__)
def test_exceptions_docstring_draws_every_error_under_its_parent(module: ModuleType) -> None:
    assert _drawn_tree(module) == _defined_tree(module)
