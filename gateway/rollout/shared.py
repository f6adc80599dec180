"""The rollbacks every worker follows: a small JSON file under the data dir.

A worker that rolls a route back writes it here (under a lock, by temp file and rename, so no
reader sees half a file and no two workers lose each other's entries); every worker re-reads
the file when it changes, checked every `FOLLOW_INTERVAL` seconds, so all follow within a
second. A rollback names the digest of its API's flag entry: it holds while that entry is
unchanged, and is removed once the flags in force give the route another entry. A corrupt
file is ignored with a warning and written again from what the worker knows.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio
import structlog

from gateway.state_files import write_whole

log = structlog.get_logger("gateway.rollout")

FILE_NAME = "canary-rollbacks.json"
FOLLOW_INTERVAL = 0.25


@dataclass(frozen=True)
class Rollback:
    """A canary route served by legacy alone, since `at`, because the router broke `rule`."""

    api: str
    route: str
    """The route key."""
    entry: str
    at: str
    rule: str
    observed: Mapping[str, Any]

    def as_status(self) -> dict[str, Any]:
        return {"at": self.at, "rule": self.rule, "observed": dict(self.observed)}


class SharedRollbacks:
    """The rollbacks in force, by route key, as the file in `data_dir` says."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME
        self._rollbacks: Mapping[str, Rollback] = {}
        self._seen: tuple[int, int, int] | None = None

    def get(self, route_key: str, entry: str) -> Rollback | None:
        """The rollback of the route while its API's flag entry is still `entry`."""
        rollback = self._rollbacks.get(route_key)
        return rollback if rollback is not None and rollback.entry == entry else None

    def add(self, rollback: Rollback) -> bool:
        """Roll a route back here and in the file for the others; False if another worker already had."""
        with self._locked():
            current = self._read_or_own()
            earlier = current.get(rollback.route)
            if earlier is not None and earlier.entry == rollback.entry:
                # Workers judge their own windows: the first to roll the route back speaks for all.
                self._rollbacks = current
                return False
            self._rollbacks = {**current, rollback.route: rollback}
            self._write(self._rollbacks)
            return True

    def forget_stale(self, entries: Mapping[str, str]) -> None:
        """Remove the rollbacks whose route's flag entry (route key -> entry digest) is no longer theirs."""
        if all(entries.get(key) == rollback.entry for key, rollback in self._rollbacks.items()):
            return
        with self._locked():
            current = self._read_or_own()
            kept = {key: rollback for key, rollback in current.items() if entries.get(key) == rollback.entry}
            if kept != current:
                self._write(kept)
            self._rollbacks = kept

    def refresh(self) -> None:
        """Re-read the file if it changed since the last look."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return
        seen = (info.st_mtime_ns, info.st_size, info.st_ino)
        if seen != self._seen:
            self._rollbacks = self._read_or_own()

    async def follow(self, entries: Callable[[], Mapping[str, str]]) -> None:
        """Follow the file, and drop rollbacks the flags in force no longer hold, until cancelled."""
        while True:
            await anyio.to_thread.run_sync(self._follow_once, entries())
            await anyio.sleep(FOLLOW_INTERVAL)

    def _follow_once(self, entries: Mapping[str, str]) -> None:
        self.refresh()
        self.forget_stale(entries)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_or_own(self) -> dict[str, Rollback]:
        """The file's rollbacks; this worker's own when the file is missing or corrupt (then written again)."""
        try:
            text = self.path.read_text(encoding="utf-8")
            info = os.stat(self.path)
        except FileNotFoundError:
            return dict(self._rollbacks)
        try:
            rollbacks = {key: Rollback(**value) for key, value in json.loads(text)["rollbacks"].items()}
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("rollout_state_corrupt", path=str(self.path), error=str(exc) or type(exc).__name__)
            own = dict(self._rollbacks)
            self._write(own)
            return own
        self._seen = (info.st_mtime_ns, info.st_size, info.st_ino)
        return rollbacks

    def _write(self, rollbacks: Mapping[str, Rollback]) -> None:
        text = json.dumps({"rollbacks": {key: asdict(rollback) for key, rollback in rollbacks.items()}}, indent=1)
        write_whole(self.path, text)
        info = os.stat(self.path)
        self._seen = (info.st_mtime_ns, info.st_size, info.st_ino)
