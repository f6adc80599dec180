"""Per route, what shadow traffic found, summed over every worker: the counts and the newest mismatch.

The counts are read from `gateway_shadow_total`, which each worker writes to the shared
multiprocess directory (`gateway.metrics`), as the request stats are. A mismatch's diff is
text, which a Prometheus file cannot hold: each worker writes its routes' last mismatches to
a small JSON file of its own in that same directory (by temporary file and rename, so no
reader sees half of one), and whoever answers reads them all, the newest mismatch winning.
The files live and go with the directory, as the counts do; a single process keeps its own
in memory.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import structlog
from prometheus_client import CollectorRegistry

from gateway.metrics import SHADOW_COUNTER
from gateway.shadow_results import Result, ShadowResult
from gateway.state_files import write_whole

log = structlog.get_logger("gateway.shadow")

MISMATCH_FILE_PREFIX = "shadow-last-mismatch-"
RESULTS = get_args(Result)


class LastMismatches:
    """Per route key, the newest shadow mismatch of any worker: `{"request_id", "at", "diff"}`.

    ::

        mismatches = LastMismatches(shared_directory())
        mismatches.record(result)  # in the worker that compared
        mismatches.every_worker()["DELETE /v1/models/{model_id:path}"]["diff"]
    """

    def __init__(self, directory: Path | None) -> None:
        self._own: dict[str, dict[str, Any]] = {}
        self._directory = directory

    def record(self, result: ShadowResult) -> None:
        """Keep `result` (a mismatch) as its route's last, and write this worker's file for the others."""
        # Microseconds always, so that timestamps compare as text.
        at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        self._own[result.route.key] = {"request_id": result.request_id, "at": at, "diff": result.diff}
        if self._directory is not None:
            write_whole(self._directory / f"{MISMATCH_FILE_PREFIX}{os.getpid()}.json", json.dumps(self._own))

    def every_worker(self) -> dict[str, dict[str, Any]]:
        """The newest mismatch per route key across every worker's file (this worker's own without a directory)."""
        if self._directory is None:
            return dict(self._own)
        newest: dict[str, dict[str, Any]] = {}
        for path in self._directory.glob(f"{MISMATCH_FILE_PREFIX}*.json"):
            for key, mismatch in _read(path).items():
                if key not in newest or mismatch["at"] > newest[key]["at"]:
                    newest[key] = mismatch
        return newest


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        mismatches = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        # Its worker's directory was removed under us (the server stopping).
        return {}
    except ValueError as exc:
        # Never half-written by a worker (rename), so someone else's: left alone, not shown.
        log.warning("shadow_mismatch_file_unreadable", path=str(path), error=str(exc))
        return {}
    return mismatches if isinstance(mismatches, dict) else {}


class ShadowCounts:
    """Per route: shadowed requests that matched, mismatched or were skipped, every worker together.

    ::

        counts = ShadowCounts.read(metrics.every_worker())
        counts.summary("GET", "/v1/models", last_mismatch=None)["compared"]
    """

    def __init__(self, tally: Counter[tuple[str, str, str]]) -> None:
        self._tally = tally

    @classmethod
    def read(cls, registry: CollectorRegistry) -> ShadowCounts:
        """Sum `gateway_shadow_total` of `registry` per method, route template and result."""
        tally: Counter[tuple[str, str, str]] = Counter()
        for family in registry.collect():
            for sample in family.samples:
                if sample.name == f"{SHADOW_COUNTER}_total":
                    labels = sample.labels
                    tally[(labels["method"], labels["route"], labels["result"])] += int(sample.value)
        return cls(tally)

    def has(self, method: str, template: str) -> bool:
        """Whether any worker shadowed a request of the route."""
        return any(self._tally[(method, template, result)] for result in RESULTS)

    def summary(self, method: str, template: str, last_mismatch: dict[str, Any] | None) -> dict[str, Any]:
        """The route's `shadow` block of the status endpoint."""
        matched, mismatched = self._tally[(method, template, "match")], self._tally[(method, template, "mismatch")]
        return {
            "compared": matched + mismatched,
            "matched": matched,
            "mismatched": mismatched,
            "skipped": self._tally[(method, template, "skipped")],
            "last_mismatch": last_mismatch,
        }
