"""Keeping the flags in force up to date with the file, off the request path.

A background task looks at the file a few times a second. A change of the file's
identity or size or time (saved in place, replaced by rename, or a symlink swapped as a
Kubernetes ConfigMap does) makes it read the file; new content that is valid replaces
the flags in one assignment, invalid content is rejected and the last good flags stay.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import structlog

from gateway.exceptions import FlagsError
from gateway.flags import FlagsSnapshot, changes, check_against_routes, parse_flags, read_flags_text, resolve
from gateway.routes import GatewayRoute

log = structlog.get_logger("gateway.flags")

POLL_SECONDS = 0.25


def read_snapshot(path: Path, routes: tuple[GatewayRoute, ...]) -> FlagsSnapshot:
    """Read, validate and resolve the flag file; `FlagsError` says what is wrong and where."""
    text = read_flags_text(path)
    flags = parse_flags(text, path)
    check_against_routes(flags, path, routes)
    return resolve(flags, str(path), text, routes)


@dataclass(frozen=True)
class Rejection:
    error: str
    rejected_at: datetime


class LiveFlags:
    """The flags in force and the last rejection, each replaced whole.

    A request reads `snapshot` once and decides with it, so it sees the old flags or
    the new ones, never a mix.
    """

    def __init__(self, snapshot: FlagsSnapshot) -> None:
        self.snapshot = snapshot
        self.rejection: Rejection | None = None


def _signature(path: Path) -> tuple[object, ...] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (os.path.realpath(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class FlagsWatcher:
    """Re-read the flag file when it changes and swap in what it says, if it is valid."""

    def __init__(self, path: Path, routes: tuple[GatewayRoute, ...], live: LiveFlags) -> None:
        self.path = path
        self.routes = routes
        self.live = live
        self._seen = _signature(path)

    def check(self) -> None:
        """Look at the file once; reload it if it changed."""
        signature = _signature(self.path)
        if signature == self._seen:
            return
        self._seen = signature
        try:
            snapshot = read_snapshot(self.path, self.routes)
        except FlagsError as exc:
            self.live.rejection = Rejection(error=str(exc), rejected_at=datetime.now(UTC))
            log.warning("flags_rejected", path=str(self.path), error=str(exc))
            return
        previous = self.live.snapshot
        self.live.snapshot = snapshot
        self.live.rejection = None
        log.info("flags_loaded", path=snapshot.path, sha256=snapshot.sha256)
        changed = changes(previous, snapshot)
        if changed:
            log.info("flags_changed", path=snapshot.path, changes=changed)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            self.check()
