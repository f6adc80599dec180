"""Every catalogued request answers the same with its API served legacy and migrated."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from tests.parity.replay import catalogue_files, load_catalogue, replay, serve


def _difference(name: str, legacy: object, migrated: object) -> str:
    def lines(value: object) -> list[str]:
        return json.dumps(value, indent=2, sort_keys=True).splitlines()

    diff = difflib.unified_diff(lines(legacy), lines(migrated), "legacy", "migrated", lineterm="")
    return f"--- step {name!r}\n" + "\n".join(diff)


@pytest.mark.anyio
@pytest.mark.parametrize("catalogue", catalogue_files(), ids=lambda path: path.stem)
async def test_catalogue_answers_the_same_legacy_and_migrated(catalogue: Path, tmp_path: Path) -> None:
    steps = load_catalogue(catalogue)
    async with serve("legacy", tmp_path / "legacy") as served:
        legacy = await replay(served, steps)
    async with serve("migrated", tmp_path / "migrated") as served:
        migrated = await replay(served, steps)
    mismatches = [
        _difference(step.name, seen_legacy, seen_migrated)
        for step, seen_legacy, seen_migrated in zip(steps, legacy, migrated, strict=True)
        if seen_legacy != seen_migrated
    ]
    assert not mismatches, f"{len(mismatches)} of {len(steps)} steps differ:\n\n" + "\n\n".join(mismatches)
