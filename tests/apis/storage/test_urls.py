from __future__ import annotations

import pytest

from apis.storage.urls import masked, scheme


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param("postgresql://gw:hunter2@db:5432/gw", "postgresql://gw:***@db:5432/gw", id="password"),
        pytest.param("postgresql://gw:p%40ss%3Aw@db/gw", "postgresql://gw:***@db/gw", id="escaped-password"),
        pytest.param(
            "postgresql://gw@db/gw?sslmode=require", "postgresql://gw@db/gw?sslmode=require", id="no-password"
        ),
        pytest.param(
            "postgresql://gw@db/gw?password=hunter2&sslmode=require",
            "postgresql://gw@db/gw?password=***&sslmode=require",
            id="password-parameter",
        ),
        pytest.param("postgresql://[::1:5432/gw", "***", id="unparseable"),
    ],
)
def test_masked_hides_the_password_only(url: str, shown: str) -> None:
    assert masked(url) == shown


def test_scheme_is_lower_case_and_empty_when_missing() -> None:
    assert scheme("PostgreSQL://db/gw") == "postgresql"
    assert scheme("db.example.com") == ""
    assert scheme("postgresql://[::1:5432/gw") == ""
