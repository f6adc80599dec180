"""Recorded requests: legacy answers through a tap, and the exchange is written down for `gateway verify`.

In mode legacy, `recorded()` puts a `RecordedApp` in front of the legacy app: `record` of
the route's requests go through a `proof.Tap` (calls captured, bodies copied up to the body
limit). In mode shadow the shadow's own tap is used (one capture per request). Either way
the exchange, as a line of the recording format, goes to the worker's `RecordWriter`: the
client's request and response pass through untouched, and encoding and writing happen on
the writer's thread. An exchange that is not whole (client gone, body past the limit, a
call left unfinished) is not recorded.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial

from starlette.types import ASGIApp, Receive, Scope, Send

from proof import DEFAULT_BODY_LIMIT, Tap
from proof.record import RecordWriter, exchange_line

DEFAULT_REDACTED = ("authorization", "cookie", "x-provider-data")
"""Headers never written to a recording: credentials, and the request context (provider keys)."""


class Keeper:
    """Writes down `share` of the exchanges of `route` of `api` that a tap served."""

    def __init__(self, recording: Recording, api: str, route: str, share: float) -> None:
        self.recording, self.api, self.route, self.share = recording, api, route, share

    def chosen(self) -> bool:
        """Whether this request is one of the share recorded (asked before tapping: a tap has a cost)."""
        return self.share >= 1.0 or random.random() < self.share

    def store(self, tap: Tap) -> None:
        """Queue the exchange `tap` served, if it is whole (client stayed, bodies within the limit, calls ended)."""
        if tap.complete and not (tap.disconnected or tap.too_large or tap.unfinished_calls):
            # A partial holds fewer objects than a closure's cells, for the collector to count while it waits.
            line = partial(exchange_line, tap.exchange(), self.api, self.route, self.recording.redact, time.time())
            if not self.recording.writer.write(line):
                self.recording.dropped(self.api)

    def __call__(self, tap: Tap) -> None:
        """For a tap that ran anyway (the shadow's): store the exchange if chosen."""
        if self.chosen():
            self.store(tap)


@dataclass(frozen=True)
class Recording:
    """What recorded routes of a worker share: its writer, the headers redacted, the largest body kept, and
    what counts an API's exchange dropped for want of room in the writer's queue."""

    writer: RecordWriter
    redact: frozenset[str]
    body_limit: int = DEFAULT_BODY_LIMIT
    dropped: Callable[[str], None] = lambda api: None

    @staticmethod
    def redacted(extra: Collection[str]) -> frozenset[str]:
        """The default redacted headers and `extra`, in lower case as lines store header names."""
        return frozenset(name.lower() for name in (*DEFAULT_REDACTED, *extra))

    def keeper(self, api: str, route: str, share: float) -> Keeper | None:
        """What records `share` of the exchanges of `route` of `api`; None when nothing is."""
        return Keeper(self, api, route, share) if share > 0 else None


class RecordedApp:
    """Serve with `legacy`; the requests `keeper` chooses go through a tap and are stored."""

    def __init__(self, legacy: ASGIApp, keeper: Keeper, body_limit: int) -> None:
        self.legacy, self.keeper, self.body_limit = legacy, keeper, body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.keeper.chosen():
            await self.legacy(scope, receive, send)
            return
        tap = Tap(scope, self.body_limit)
        try:
            await tap.serve(self.legacy, receive, send)
        finally:
            self.keeper.store(tap)


def recorded(legacy: ASGIApp, recording: Recording, api: str, route: str, share: float) -> ASGIApp:
    """`legacy` as it is when nothing of the route is recorded, else behind a `RecordedApp`."""
    keeper = recording.keeper(api, route, share)
    return legacy if keeper is None else RecordedApp(legacy, keeper, recording.body_limit)
