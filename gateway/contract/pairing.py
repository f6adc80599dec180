"""Pairing each legacy operation with its migrated twin.

The gateway serves a route from the router only where the router has the very same
method and template, so pairing is exact first. What is left is paired the way a person
would read it: the same path with renamed parameters, then the same path with another
method; anything still alone is on one side only, with the other side's most similar
operation named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gateway.contract.documents import Operation
from gateway.exceptions import closest
from http_conventions.openapi import openapi_path

_PARAMETER = re.compile(r"\{[^}]*\}")


def path_parameters(path: str) -> list[str]:
    """The names of a path's parameters, in order."""
    return [match[1:-1].split(":")[0] for match in _PARAMETER.findall(path)]


def shape(path: str) -> str:
    """The path with its parameters unnamed: two routes of one shape match the same requests."""
    return _PARAMETER.sub("{}", openapi_path(path))


def closest_twin(method: str, path: str, candidates: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """Of (method, path) `candidates`, the one most like `path` with `method`: the same shape, else a near path."""
    same_method = [candidate for candidate in candidates if candidate[0] == method]
    for candidate in same_method:
        if shape(candidate[1]) == shape(path):
            return candidate
    nearest = closest(path, [candidate[1] for candidate in same_method])
    return (method, nearest) if nearest else None


@dataclass(frozen=True)
class Pair:
    """An operation and its twin; one of them is None when the other side has no twin."""

    legacy: Operation | None
    migrated: Operation | None
    closest: str | None = None
    """For a lone operation: the other side's operation most like it."""

    @property
    def key(self) -> str:
        """The operation as a finding names it: the legacy one's method and path where there is one."""
        operation = self.legacy or self.migrated
        assert operation is not None
        return operation.key


def pair_operations(
    legacy: Mapping[tuple[str, str], Operation], migrated: Mapping[tuple[str, str], Operation]
) -> list[Pair]:
    """Every operation of either side once, paired where it has a twin, legacy order first."""
    pairs: list[Pair] = []
    lone_migrated = dict(migrated)
    lone_legacy: list[Operation] = []
    for key, operation in legacy.items():
        if key in lone_migrated:
            pairs.append(Pair(operation, lone_migrated.pop(key)))
        else:
            lone_legacy.append(operation)
    for operation in list(lone_legacy):
        twin = _renamed_or_moved(operation, lone_migrated)
        if twin is not None:
            pairs.append(Pair(operation, lone_migrated.pop(twin)))
            lone_legacy.remove(operation)
    for operation in lone_legacy:
        near = closest_twin(operation.method, operation.path, lone_migrated) or closest_twin(
            operation.method, operation.path, migrated
        )
        pairs.append(Pair(operation, None, " ".join(near) if near else None))
    for operation in lone_migrated.values():
        near = closest_twin(operation.method, operation.path, legacy)
        pairs.append(Pair(None, operation, " ".join(near) if near else None))
    return pairs


def _renamed_or_moved(operation: Operation, candidates: Mapping[tuple[str, str], Operation]) -> tuple[str, str] | None:
    by_shape = [key for key in candidates if shape(key[1]) == shape(operation.path)]
    same_method = [key for key in by_shape if key[0] == operation.method]
    if len(same_method) == 1:
        return same_method[0]
    # A method that changed: only when the path has exactly one other method left, so nothing is guessed.
    if not same_method and len(by_shape) == 1:
        return by_shape[0]
    return None
