"""Where the running gateway's flags come from: a flag file it follows, or flags fixed in code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Protocol

from gateway.flags import FlagFile, resolve
from gateway.reload import FlagsWatcher, LiveFlags, Reloaded, log_loaded, not_counted, read_snapshot
from gateway.routes import GatewayRoute

FIXED_PATH = "(fixed)"
"""The `path` that status and logs show for flags given in code."""


class FlagsSource(Protocol):
    def followed(
        self, routes: tuple[GatewayRoute, ...], reloaded: Reloaded = not_counted
    ) -> AbstractAsyncContextManager[LiveFlags]:
        """The flags in force over `routes`, kept up to date until the block ends; `reloaded` told of each reload."""
        ...


class FixedFlags:
    """Flags given in code (tests, benchmarks, embedding): resolved once, never changed."""

    def __init__(self, flags: FlagFile) -> None:
        self.flags = flags

    @asynccontextmanager
    async def followed(
        self, routes: tuple[GatewayRoute, ...], reloaded: Reloaded = not_counted
    ) -> AsyncIterator[LiveFlags]:
        yield LiveFlags(resolve(self.flags, FIXED_PATH, self.flags.model_dump_json(), routes))


class FollowedFile:
    """A flag file, read at start-up (`FlagsError` if invalid) and followed while the block runs."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @asynccontextmanager
    async def followed(
        self, routes: tuple[GatewayRoute, ...], reloaded: Reloaded = not_counted
    ) -> AsyncIterator[LiveFlags]:
        live = LiveFlags(read_snapshot(self.path, routes))
        log_loaded(live.snapshot)
        watcher = asyncio.create_task(FlagsWatcher(self.path, routes, live, reloaded).run())
        try:
            yield live
        finally:
            watcher.cancel()


def flags_source(flags: Path | FlagFile) -> FlagsSource:
    """The source of `flags`: a path is a file to follow, a `FlagFile` is fixed."""
    return FixedFlags(flags) if isinstance(flags, FlagFile) else FollowedFile(flags)
