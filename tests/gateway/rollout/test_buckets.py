from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gateway.rollout.buckets import BUCKETS, bucket
from gateway.rollout.canary_flags import Canary

KEYS = [f"user-{number}" for number in range(1000)]


def _threshold(percent: float) -> int:
    return Canary(percent, "header:x-user-id", None, "entry").threshold


def _to_router(api: str, percent: float) -> set[str]:
    threshold = _threshold(percent)
    return {key for key in KEYS if bucket(api, key) < threshold}


@pytest.mark.parametrize("percent", [1, 10, 25, 50, 90])
def test_bucket_split_over_1000_keys_is_within_3_percent(percent: float) -> None:
    share = len(_to_router("batches", percent)) / len(KEYS) * 100
    assert abs(share - percent) <= 3


def test_bucket_raising_the_percentage_only_moves_keys_to_the_router() -> None:
    steps = [_to_router("batches", percent) for percent in (0, 0.5, 5, 10, 10.01, 30, 75, 100)]
    for lower, higher in zip(steps, steps[1:], strict=False):
        assert lower <= higher
    assert steps[0] == set() and steps[-1] == set(KEYS)


def test_bucket_of_a_percentage_with_two_decimals_is_exact() -> None:
    assert _threshold(12.34) == 1234 and _threshold(100) == BUCKETS


def test_bucket_is_the_same_in_another_process_with_another_hash_seed() -> None:
    script = "from gateway.rollout.buckets import bucket; print([bucket('batches', f'user-{n}') for n in range(50)])"
    other = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout.strip() == str([bucket("batches", key) for key in KEYS[:50]])


def test_bucket_depends_on_the_api_so_apis_pick_different_users() -> None:
    assert _to_router("batches", 10) != _to_router("files", 10)
