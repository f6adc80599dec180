"""Alternating rounds: every configuration measured in turn, the order reversed each round.

The machines are shared and noisy; measuring two configurations alternately in one run
lets a slow moment hit both, and the median of the per-round figures drops outliers.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable, Mapping, Sequence

ROUNDS = 7
"""Rounds per comparison; at least 5 (the issue's minimum)."""


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def order(names: Sequence[str], round_number: int) -> list[str]:
    """ABAB... becomes AB, BA, AB: each configuration goes first as often as the others."""
    return list(names) if round_number % 2 == 0 else list(reversed(names))


def alternate(measures: Mapping[str, Callable[[], float]], rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Run each measure once per round, alternating; the samples of each, by name."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for number in range(rounds):
        for name in order(list(measures), number):
            samples[name].append(measures[name]())
    return samples


async def alternate_async(
    measures: Mapping[str, Callable[[], Awaitable[float]]], rounds: int = ROUNDS
) -> dict[str, list[float]]:
    """`alternate` for measures that run on the event loop."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for number in range(rounds):
        for name in order(list(measures), number):
            samples[name].append(await measures[name]())
    return samples


def paired_ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """The ratio of each round's pair: rounds, not whole runs, are what is alike."""
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def paired_differences(minuends: Sequence[float], subtrahends: Sequence[float]) -> list[float]:
    return [a - b for a, b in zip(minuends, subtrahends, strict=True)]
