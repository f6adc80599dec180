from __future__ import annotations

from typing import Any

import pytest

from proof.calls.observer import ObservedMethod


def plain_call(model_id: str, limit: int = 10, *, verbose: bool = False) -> None: ...


def var_args(*ids: str, **options: Any) -> None: ...


@pytest.mark.parametrize(
    ("function", "args", "kwargs", "expected"),
    [
        pytest.param(plain_call, ("a",), {}, {"model_id": "a", "limit": 10, "verbose": False}, id="defaults"),
        pytest.param(
            plain_call, (), {"model_id": "a", "limit": 2}, {"model_id": "a", "limit": 2, "verbose": False}, id="by-name"
        ),
        pytest.param(
            plain_call, ("a", 2), {"verbose": True}, {"model_id": "a", "limit": 2, "verbose": True}, id="mixed"
        ),
        pytest.param(var_args, ("a", "b"), {"x": 1}, {"ids": ["a", "b"], "options": {"x": 1}}, id="var-args"),
        # Calls that fail to bind fail the implementation too: their arguments are kept as given.
        pytest.param(plain_call, ("a", 2, True), {}, {"*args": ["a", 2, True]}, id="keyword-only-by-position"),
        pytest.param(plain_call, (), {"limit": 2}, {"*args": [], "limit": 2}, id="missing"),
    ],
)
def test_arguments_by_parameter_name_whatever_the_call_form(
    function: Any, args: tuple[Any, ...], kwargs: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert dict(ObservedMethod(function.__name__, function).arguments(args, kwargs)) == expected
