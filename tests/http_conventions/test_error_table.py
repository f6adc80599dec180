"""The error table as data: its entries in the legacy server's order, the README's copy, a team's entries first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from http_conventions import ERROR_TABLE, ConflictError, ErrorEntry, ResourceNotFoundError, translate_exception

README = Path(__file__).parents[2] / "README.md"
# SPEC 4's order: the not-found and conflict errors are ValueErrors too, a status_code counts after every class.
SPEC_ORDER = [
    ("validation", "400"),
    ("conflict", "409"),
    ("not-found", "404"),
    ("invalid-value", "400"),
    ("permission-denied", "403"),
    ("connection", "502"),
    ("timeout", "504"),
    ("not-implemented", "501"),
    ("authentication-required", "401"),
    ("storage-full", "507"),
    ("status-code", "that status"),
    ("internal", "500"),
]


def _status(entry: ErrorEntry) -> str:
    return str(entry.status) if isinstance(entry.status, int) else "that status"


def test_error_table_entries_are_in_the_legacy_order() -> None:
    assert [(entry.id, _status(entry)) for entry in ERROR_TABLE] == SPEC_ORDER


def test_error_table_in_the_readme_is_the_table_of_the_code() -> None:
    section = README.read_text().split("### The error table", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([\w-]+)` \| .* \| (\d{3}|that status) \| .* \|$", section, re.MULTILINE)

    assert rows == [(entry.id, _status(entry)) for entry in ERROR_TABLE]


class QuotaExceeded(Exception):
    pass


class TeamNotFound(Exception):
    pass


def test_a_team_entry_put_before_the_built_in_ones_answers_first() -> None:
    table = (
        ErrorEntry("team-not-found", TeamNotFound, 404),
        ErrorEntry("quota", QuotaExceeded, 429, "Quota exceeded: {exc}"),
        ErrorEntry("team-conflict", lambda exc: "already" in str(exc), 409),
        *ERROR_TABLE,
    )

    answers = [translate_exception(exc, table) for exc in (TeamNotFound("no w1"), QuotaExceeded("10/s"))]
    answers.append(translate_exception(ValueError("already there"), table))

    assert [(answer.status_code, answer.detail) for answer in answers] == [
        (404, "no w1"),
        (429, "Quota exceeded: 10/s"),
        (409, "already there"),
    ]
    # Without the team's entries, the same exceptions fall through to the built-in table.
    assert translate_exception(TeamNotFound("no w1")).status_code == 500


def test_a_table_that_matches_nothing_answers_500() -> None:
    answer = translate_exception(ConflictError("exists"), (ErrorEntry("quota", QuotaExceeded, 429),))

    assert (answer.status_code, answer.detail) == (500, "Internal server error: An unexpected error occurred.")


@pytest.mark.parametrize(
    ("entry", "error", "detail"),
    [
        pytest.param(ErrorEntry("plain", ValueError, 400), ValueError("bad"), "bad", id="message"),
        pytest.param(ErrorEntry("fixed", ValueError, 400, "Nope."), ValueError("secret"), "Nope.", id="fixed-text"),
        pytest.param(
            ErrorEntry("kind", ResourceNotFoundError, 404, lambda exc: {"missing": getattr(exc, "kind", None)}),
            ResourceNotFoundError("Model", "m1"),
            {"missing": "Model"},
            id="structured",
        ),
    ],
)
def test_error_entry_detail_forms(entry: ErrorEntry, error: Exception, detail: object) -> None:
    assert entry.answer(error).detail == detail
