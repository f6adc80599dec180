from __future__ import annotations

from pathlib import Path

import pytest

from gateway.exceptions import FlagsError
from gateway.flags import parse_flags
from gateway.rollout.canary_flags import RollbackFlags

PATH = Path("flags.yaml")


def _canary(fields: str) -> str:
    indented = "".join(f"    {line}\n" for line in fields.splitlines())
    return "default: legacy\napis:\n  batches:\n    mode: canary\n" + indented


def _error(text: str) -> FlagsError:
    with pytest.raises(FlagsError) as caught:
        parse_flags(text, PATH)
    return caught.value


def test_canary_flags_long_form_parses_with_defaults() -> None:
    flags = parse_flags(
        _canary("percent: 12.5\nsticky: header:X-User-Id\nrollback: {max_5xx_ratio: 2, min_requests: 10}"), PATH
    )
    entry = flags.api_flags("batches")
    assert (entry.percent, entry.sticky) == (12.5, "header:x-user-id")
    assert entry.rollback == RollbackFlags(max_5xx_ratio=2, min_requests=10, window_s=60)


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        pytest.param("percent: 101", "apis.batches.percent", "less than or equal to 100", id="percent-above-100"),
        pytest.param("percent: -1", "apis.batches.percent", "greater than or equal to 0", id="percent-below-0"),
        pytest.param("percent: 10.005", "apis.batches.percent", "more than two decimals", id="percent-3-decimals"),
        pytest.param("sticky: none", "apis.batches", "mode canary needs `percent`", id="percent-missing"),
        pytest.param(
            "percent: 5\nsticky: cookie:id", "apis.batches.sticky", "unknown sticky kind 'cookie:id'", id="sticky-kind"
        ),
        pytest.param("percent: 5\nsticky: 'header:'", "apis.batches.sticky", "header:NAME", id="sticky-no-name"),
        pytest.param(
            "percent: 5\nrollback: {max_5xx_ratio: 0.5}",
            "apis.batches.rollback.max_5xx_ratio",
            "greater than or equal to 1",
            id="5xx-ratio-below-1",
        ),
        pytest.param(
            "percent: 5\nrollback: {max_p99_ratio: 0.9}",
            "apis.batches.rollback.max_p99_ratio",
            "greater than or equal to 1",
            id="p99-ratio-below-1",
        ),
        pytest.param(
            "percent: 5\nrollback: {min_requests: 0}",
            "apis.batches.rollback.min_requests",
            "greater than or equal to 1",
            id="min-requests-0",
        ),
        pytest.param(
            "percent: 5\nrollback: {max_5xx_ratio: 2, window: 10}",
            "apis.batches.rollback.window",
            "did you mean 'window_s'",
            id="rollback-key-typo",
        ),
        pytest.param("percent: 5\nprecent: 5", "apis.batches.precent", "did you mean 'percent'", id="field-typo"),
    ],
)
def test_canary_flags_bad_input_names_the_key(fields: str, key: str, message: str) -> None:
    error = _error(_canary(fields))
    assert error.key == key
    assert message in error.problem


def test_canary_flags_fields_of_canary_on_another_mode_are_an_error() -> None:
    error = _error("apis:\n  batches:\n    mode: migrated\n    percent: 10\n")
    assert error.problem == "`percent` is a field of mode canary, not of mode migrated"


def test_canary_flags_route_override_cannot_be_canary() -> None:
    error = _error('apis:\n  batches:\n    mode: migrated\n    routes:\n      "GET /v1/batches": canary\n')
    assert "put the API in mode canary" in error.problem


def test_canary_flags_route_override_in_long_form_cannot_be_canary() -> None:
    error = _error('apis:\n  batches:\n    mode: migrated\n    routes:\n      "GET /v1/batches": {mode: canary}\n')
    assert "put the API in mode canary" in error.problem
