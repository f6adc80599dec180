"""Keeping the flags in force up to date with the file, off the request path and off the event loop.

A background task looks at the file a few times a second. A change of the file's
identity, size, times or permissions (saved in place, replaced by rename, a symlink
swapped as a Kubernetes ConfigMap does, or made readable again) makes it read the file
in a worker thread, so that no file and no slow disk holds up a request; new content that
is valid replaces the flags in one assignment on the event loop, invalid content is
rejected and the last good flags stay.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import structlog

from gateway.exceptions import FlagsError
from gateway.flags import FlagsSnapshot, changes, check_against_routes, parse_flags, resolve, text_sha256
from gateway.flags_file import read_flags_text
from gateway.kept_decisions import kept_decisions
from gateway.routes import GatewayRoute

log = structlog.get_logger("gateway.flags")

POLL_SECONDS = 0.25

ReloadResult = Literal["loaded", "unchanged", "rejected"]
"""What reading a changed file came to: new flags in force, the same content again, or refused."""
RELOAD_RESULTS: tuple[ReloadResult, ...] = ("loaded", "unchanged", "rejected")
Reloaded = Callable[[ReloadResult], None]
"""Told the result of every reload (the `gateway_flags_reloads_total` counter)."""


def not_counted(result: ReloadResult) -> None:
    """A watcher nobody counts the reloads of (tests, `gateway flags` commands)."""


class Unchanged:
    """The file changed on disk but holds the flags in force: touched, its mode changed, the same ConfigMap again."""


UNCHANGED = Unchanged()


def read_snapshot(path: Path, routes: tuple[GatewayRoute, ...]) -> FlagsSnapshot:
    """Read, validate and resolve the flag file; `FlagsError` says what is wrong and where."""
    return _snapshot_of(read_flags_text(path), path, routes)


def _snapshot_of(
    text: str, path: Path, routes: tuple[GatewayRoute, ...], in_force: FlagsSnapshot | None = None
) -> FlagsSnapshot:
    flags = parse_flags(text, path)
    kept = kept_decisions(in_force, flags, routes)
    check_against_routes(flags, path, routes, kept)
    return resolve(flags, str(path), text, routes, kept)


def log_loaded(snapshot: FlagsSnapshot) -> None:
    """Log the flags now in force, and each API they leave partly on legacy for want of migrated twins."""
    log.info("flags_loaded", path=snapshot.path, sha256=snapshot.sha256)
    for api, routes in snapshot.partial.items():
        log.warning("partial_migration", path=snapshot.path, api=api, routes=[route.as_dict() for route in routes])


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
    # The change time moves with a chmod or chown too: a file made readable again is read again.
    return (
        os.path.realpath(path),
        stat.st_dev,
        stat.st_ino,
        stat.st_size,
        stat.st_mtime_ns,
        stat.st_ctime_ns,
        stat.st_mode,
    )


class FlagsWatcher:
    """Re-read the flag file when it changes and swap in what it says, if it is valid."""

    def __init__(
        self, path: Path, routes: tuple[GatewayRoute, ...], live: LiveFlags, reloaded: Reloaded = not_counted
    ) -> None:
        self.path = path
        self.routes = routes
        self.live = live
        self.reloaded = reloaded
        self._seen = _signature(path)

    def read_if_changed(self) -> FlagsSnapshot | FlagsError | Unchanged | None:
        """The file's new flags, why they are rejected, or `UNCHANGED`; None when the file was not touched.

        It reads and validates the file, so the running server calls it in a worker thread.
        """
        signature = _signature(self.path)
        if signature == self._seen:
            return None
        self._seen = signature
        try:
            text = read_flags_text(self.path)
            if self.live.rejection is None and text_sha256(text) == self.live.snapshot.sha256:
                return UNCHANGED
            return _snapshot_of(text, self.path, self.routes, self.live.snapshot)
        except FlagsError as exc:
            return exc

    def apply(self, outcome: FlagsSnapshot | FlagsError | Unchanged | None) -> None:
        """Swap in new flags or record a rejection, on the event loop whose requests read them."""
        if outcome is None:
            return
        if isinstance(outcome, Unchanged):
            self.reloaded("unchanged")
            return
        if isinstance(outcome, FlagsError):
            self.live.rejection = Rejection(error=str(outcome), rejected_at=datetime.now(UTC))
            log.warning("flags_rejected", path=str(self.path), error=str(outcome))
            self.reloaded("rejected")
            return
        previous = self.live.snapshot
        self.live.snapshot = outcome
        self.live.rejection = None
        log_loaded(outcome)
        changed = changes(previous, outcome)
        if changed:
            log.info("flags_changed", path=outcome.path, changes=changed)
        self.reloaded("loaded")

    def check(self) -> None:
        """Look at the file once, in this thread; reload it if it changed."""
        self.apply(self.read_if_changed())

    async def run(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            self.apply(await asyncio.to_thread(self.read_if_changed))
