from __future__ import annotations

from pathlib import Path

import pytest

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
