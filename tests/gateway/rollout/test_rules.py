from __future__ import annotations

import pytest

from gateway.rollout.canary_flags import RollbackFlags
from gateway.rollout.rules import RULES, broken_rule
from gateway.rollout.window import Figures, SlidingWindow

BOTH = RollbackFlags(max_5xx_ratio=2.0, max_p99_ratio=1.5, min_requests=50)


def test_rules_catalogue_ids_are_the_rollback_keys() -> None:
    assert [rule.id for rule in RULES] == ["max_5xx_ratio", "max_p99_ratio"]
    assert all(rule.id in RollbackFlags.model_fields for rule in RULES)


@pytest.mark.parametrize(
    ("router", "legacy", "rule"),
    [
        pytest.param(Figures(100, 5, 10.0), Figures(100, 0, 10.0), "max_5xx_ratio", id="5xx-vs-clean-legacy"),
        pytest.param(Figures(100, 5, 10.0), Figures(100, 2, 10.0), "max_5xx_ratio", id="5xx-above-ratio"),
        pytest.param(Figures(100, 3, 10.0), Figures(100, 2, 10.0), None, id="5xx-within-ratio"),
        pytest.param(Figures(100, 1, 10.0), Figures(0, 0, None), None, id="5xx-at-1-percent-is-fine"),
        pytest.param(Figures(49, 49, 10.0), Figures(100, 0, 10.0), None, id="below-min-requests"),
        pytest.param(Figures(100, 0, 16.0), Figures(100, 0, 10.0), "max_p99_ratio", id="p99-above-ratio"),
        pytest.param(Figures(100, 0, 15.0), Figures(100, 0, 10.0), None, id="p99-at-ratio"),
        pytest.param(Figures(100, 0, 99.0), Figures(0, 0, None), None, id="p99-without-legacy-baseline"),
        pytest.param(Figures(99, 0, 99.0), Figures(500, 0, 1.0), None, id="p99-of-too-few-router-answers"),
        pytest.param(Figures(500, 0, 99.0), Figures(99, 0, 1.0), None, id="p99-of-too-few-legacy-answers"),
    ],
)
def test_rules_verdict(router: Figures, legacy: Figures, rule: str | None) -> None:
    broken = broken_rule(BOTH, router, legacy)
    assert (broken[0] if broken else None) == rule


def test_rules_observed_figures_name_both_sides_and_the_threshold() -> None:
    broken = broken_rule(BOTH, Figures(100, 5, 10.0), Figures(200, 0, 10.0))
    assert broken == (
        "max_5xx_ratio",
        {
            "router_5xx_ratio": 0.05,
            "legacy_5xx_ratio": 0.0,
            "router_requests": 100,
            "legacy_requests": 200,
            "max_5xx_ratio": 2.0,
        },
    )


def test_rules_a_rule_left_out_is_not_checked() -> None:
    only_5xx = RollbackFlags(max_5xx_ratio=2.0, min_requests=1)
    assert broken_rule(only_5xx, Figures(10, 0, 900.0), Figures(10, 0, 1.0)) is None


def test_window_forgets_answers_older_than_its_seconds() -> None:
    window = SlidingWindow(10)
    window.add(0.0, 500, 5.0)
    window.add(5.0, 200, 1.0)
    assert window.figures(9.0) == Figures(2, 1, 5.0)
    assert window.figures(12.0) == Figures(1, 0, 1.0)
    assert window.figures(20.0) == Figures(0, 0, None)
