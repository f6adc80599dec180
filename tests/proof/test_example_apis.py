"""The parity catalogue, every request shadowed: the routers match their legacy twins on replayed calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.parity.replay import catalogue_files, load_catalogue, replay
from tests.proof.shadowing import served_by_legacy, shadowing

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("catalogue", catalogue_files(), ids=lambda path: path.stem)
async def test_parity_catalogue_shadowed_matches_with_no_real_call_from_the_candidate(
    tmp_path: Path, catalogue: Path
) -> None:
    async with shadowing(tmp_path) as (client, app):
        await replay(served_by_legacy(client, app.apis), load_catalogue(catalogue))
    assert app.results, "no request was shadowed"
    mismatches = {f"{r.method} {r.path}": r.diff.text() for r in app.results if not r.diff.matched}
    assert mismatches == {}
    assert app.candidate_real_calls == []
    # The comparison saw the implementation at work: calls were captured and replayed.
    assert any(r.legacy.calls for r in app.results)
    assert all(r.candidate.calls == r.legacy.calls for r in app.results)
