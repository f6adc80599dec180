"""Every catalogued request answers the same with its API served legacy and migrated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.shadow_apis import drifting_registry
from tests.parity.replay import catalogue_files, mismatches


@pytest.mark.anyio
@pytest.mark.parametrize("catalogue", catalogue_files(), ids=lambda path: path.stem)
async def test_catalogue_answers_the_same_legacy_and_migrated(catalogue: Path, tmp_path: Path) -> None:
    differing = await mismatches(catalogue, tmp_path)
    assert not differing, f"{len(differing)} steps differ:\n\n" + "\n\n".join(differing)


@pytest.mark.anyio
async def test_a_drifting_router_fails_the_catalogue(tmp_path: Path) -> None:
    catalogue = next(path for path in catalogue_files() if path.stem == "models")
    differing = await mismatches(catalogue, tmp_path, drifting_registry)
    # The drifting router answers a DELETE 200 `null` where legacy answers 204.
    assert len(differing) == 1
    assert "'delete a registered model answers 204'" in differing[0]
    assert '-  "status": 204' in differing[0] and '+  "status": 200' in differing[0]
