"""Recorded requests: legacy answers through a tap, and the exchange is written down for `gateway verify`.

In mode legacy, `recorded()` puts a `RecordedApp` in front of the legacy app: `record` of
the route's requests go through a `proof.Tap` (calls captured, bodies kept up to the body
limit). In mode shadow the shadow's own tap is used (one capture per request). Either way
the exchange, encoded once (`proof.record.frame`), goes to the worker's `RecordWriter`:
the client's request and response pass through untouched, and the line is made and
written by the worker's writer process. An exchange that is not whole (client gone, body
past the limit, a call left unfinished) is not recorded.
"""

from __future__ import annotations

import random
import time
from collections.abc import Collection
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from proof import DEFAULT_BODY_LIMIT, Tap
from proof.record import RecordWriter, encoded

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
            # The writer counts what it drops, by API.
            self.recording.writer.write(encoded(tap, self.api, self.route, time.time()), self.api)

    def __call__(self, tap: Tap) -> None:
        """For a tap that ran anyway (the shadow's): store the exchange if chosen."""
        if self.chosen():
            self.store(tap)


@dataclass(frozen=True)
class Recording:
    """What recorded routes of a worker share: its writer (which redacts, and counts drops by API), and the
    largest body kept."""

    writer: RecordWriter
    body_limit: int = DEFAULT_BODY_LIMIT

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
