"""Mode `canary`: the router answers `percent` of the requests, legacy the rest, until a rollback.

With `sticky: header:NAME` or `client` the side is a function of the header's value or the
client's address (`gateway.rollout.buckets`); with `none`, or when the sticky header is
missing (counted in `gateway_canary_unsticky_total`), each request draws its own bucket.
A route rolled back (`gateway.rollout.shared`) is answered by legacy alone.
"""

from __future__ import annotations

import random
from functools import partial

from starlette.types import Scope

from gateway.modes import Side
from gateway.request_log import Answer, Done
from gateway.rollout.buckets import BUCKETS, bucket
from gateway.routes import RouteMatch
from gateway.strategies import RouteServing


def _both(first: Done, second: Done | None) -> Done:
    if second is None:
        return first

    def done(status: int, seconds: float) -> None:
        first(status, seconds)
        second(status, seconds)

    return done


class CanaryStrategy:
    """Split a route's requests between the sides by bucket; legacy alone once rolled back."""

    def __init__(self, serving: RouteServing) -> None:
        canary, rollout = serving.decision.canary, serving.rollout
        assert canary is not None, "a canary route's decision carries its canary"
        self.canary, self.route = canary, serving.route
        self._rollbacks = rollout.rollbacks
        self._unsticky = partial(rollout.unsticky, serving.route.api, serving.route.template)
        self._threshold = canary.threshold
        kind, _, name = canary.sticky.partition(":")
        self._kind = kind
        self._header = name.encode("latin-1")

        def answer(side: Side, reason: str | None) -> Answer:
            return Answer(
                app=serving.guard(serving.apps[side]),
                backend=side,
                reason=reason,
                api=serving.route.api,
                route=serving.route.template,
                done=_both(serving.recorder(side), rollout.watch.observer(serving.route, canary, side)),
                mode="canary",
            )

        self._legacy = answer("legacy", serving.decision.reason)
        self._migrated = answer("migrated", serving.decision.reason)
        self._rolled_back = answer("legacy", "rollback")

    def answer(self, scope: Scope, match: RouteMatch) -> Answer:
        if self._rollbacks.get(self.route.key, self.canary.entry) is not None:
            return self._rolled_back
        return self._migrated if self._bucket(scope) < self._threshold else self._legacy

    def _bucket(self, scope: Scope) -> int:
        if self._kind == "header":
            for name, value in scope["headers"]:
                if name == self._header:
                    return bucket(self.route.api, value.decode("latin-1"))
            self._unsticky("missing_header")
        elif self._kind == "client":
            client = scope.get("client")
            if client:
                return bucket(self.route.api, client[0])
            self._unsticky("no_client_address")
        return random.randrange(BUCKETS)
