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
from collections.abc import Callable, Collection
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from proof import DEFAULT_BODY_LIMIT, Tap
from proof.record import RecordWriter, exchange_line

DEFAULT_REDACTED = ("authorization", "cookie", "x-provider-data")
"""Headers never written to a recording: credentials, and the request context (provider keys)."""

Keep = Callable[[Tap], None]


@dataclass(frozen=True)
class Recording:
    """What recorded routes of a worker share: its writer, the headers redacted, the largest body kept."""

    writer: RecordWriter
    redact: frozenset[str]
    body_limit: int = DEFAULT_BODY_LIMIT

    @staticmethod
    def redacted(extra: Collection[str]) -> frozenset[str]:
        """The default redacted headers and `extra`, in lower case as lines store header names."""
        return frozenset(name.lower() for name in (*DEFAULT_REDACTED, *extra))

    def keeper(self, api: str, route: str, share: float) -> Keep | None:
        """What writes down `share` of the exchanges of `route` of `api` a tap served; None when nothing is."""
        if share <= 0:
            return None

        def keep(tap: Tap) -> None:
            if share < 1.0 and random.random() >= share:
                return
            if tap.complete and not (tap.disconnected or tap.too_large or tap.unfinished_calls):
                self.writer.write(exchange_line(tap.exchange(), api, route, self.redact))

        return keep


class RecordedApp:
    """Serve with `legacy` through a tap, and hand each exchange to `keep`."""

    def __init__(self, legacy: ASGIApp, keep: Keep, body_limit: int) -> None:
        self.legacy, self.keep, self.body_limit = legacy, keep, body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tap = Tap(scope, self.body_limit)
        try:
            await tap.serve(self.legacy, receive, send)
        finally:
            self.keep(tap)


def recorded(legacy: ASGIApp, recording: Recording, api: str, route: str, share: float) -> ASGIApp:
    """`legacy` as it is when nothing of the route is recorded, else behind a `RecordedApp`."""
    keep = recording.keeper(api, route, share)
    return legacy if keep is None else RecordedApp(legacy, keep, recording.body_limit)
