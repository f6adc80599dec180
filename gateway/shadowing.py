"""Shadowed requests: legacy answers through a tap, the router is compared off the client's path.

`ShadowedApp` serves a request with the legacy app (its implementation calls captured,
its bodies copied up to a limit) and, once legacy's answer is complete, hands the
exchange to the worker's `ShadowRunner` without waiting: a full queue is a
`skipped: queue_full`. The runner's task replays each exchange against the router with
the recorded calls (`proof.replayed`), bounded by a timeout, and reports the diff.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.log_context import current_request
from gateway.shadow_results import ShadowedRoute, ShadowResult, SkipReason
from proof import DEFAULT_BODY_LIMIT, Exchange, Tap, diff, replayed

log = structlog.get_logger("gateway.shadow")

QUEUE_SIZE = 64
TIMEOUT_SECONDS = 10.0
BUSY_SHARE = 0.05
LULL_SECONDS = 0.005
"""No request came in while the worker rested this long: it is not busy, the next comparison may run."""

Report = Callable[[ShadowResult], None]


@dataclass(frozen=True)
class Shadowing:
    """What shadowed routes of a worker share: its runner, and the largest body copied for a comparison."""

    runner: ShadowRunner
    body_limit: int = DEFAULT_BODY_LIMIT


@dataclass(frozen=True)
class ShadowJob:
    """A request legacy has answered, waiting to be replayed against the router."""

    route: ShadowedRoute
    request_id: str
    exchange: Exchange
    candidate: ASGIApp
    legacy_ms: float


class ShadowRunner:
    """The worker's shadow queue and the task that compares what is on it::

    runner = ShadowRunner(report, queue_size=64, timeout=10.0, last_request=lambda: request_log.last_started)
    async with runner.running():
        runner.submit(job)

    While requests keep coming in, comparisons take at most `busy_share` of the worker's
    time: after each, the task rests until that share is respected or no request has come
    in during `LULL_SECONDS` of its rest. The clients keep legacy's pace; under load the queue fills and
    what does not fit is counted `skipped: queue_full`.
    """

    def __init__(
        self,
        report: Report,
        *,
        queue_size: int = QUEUE_SIZE,
        timeout: float = TIMEOUT_SECONDS,
        last_request: Callable[[], float] = lambda: 0.0,
        busy_share: float = BUSY_SHARE,
    ) -> None:
        self.report = report
        self.timeout = timeout
        self.busy_share = busy_share
        self._last_request = last_request
        self._queue: asyncio.Queue[ShadowJob] = asyncio.Queue(queue_size)

    def skip(self, route: ShadowedRoute, request_id: str, reason: SkipReason, legacy_ms: float | None = None) -> None:
        self.report(ShadowResult(route, request_id, "skipped", reason, legacy_ms=legacy_ms))

    def full(self) -> bool:
        return self._queue.full()

    def submit(self, job: ShadowJob) -> None:
        """Queue `job` for comparison, or report it skipped when the queue is full."""
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            self.skip(job.route, job.request_id, "queue_full", job.legacy_ms)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Work the queue while the block runs; what is still running or queued at its end is reported skipped."""
        task = asyncio.create_task(self._work(), name="shadow comparisons")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            while not self._queue.empty():
                job = self._queue.get_nowait()
                self.skip(job.route, job.request_id, "shutdown", job.legacy_ms)

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            structlog.contextvars.clear_contextvars()
            # The candidate's own log lines say which request they replay.
            structlog.contextvars.bind_contextvars(
                request_id=job.request_id, api=job.route.api, route=job.route.template, backend="shadow"
            )
            started = time.perf_counter()
            try:
                self.report(await self._compare(job))
            except asyncio.CancelledError:
                self.skip(job.route, job.request_id, "shutdown", job.legacy_ms)
                raise
            except Exception:
                log.exception("shadow_comparison_failed")
                self.skip(job.route, job.request_id, "comparison_failed", job.legacy_ms)
            await self._rest(time.perf_counter() - started)

    async def _rest(self, worked: float) -> None:
        deadline = time.perf_counter() + worked * (1 / self.busy_share - 1)
        while (now := time.perf_counter()) < deadline:
            seen = self._last_request()
            await asyncio.sleep(LULL_SECONDS)
            # Quiet only if the loop ran the whole time: a process paused by the OS saw no requests either.
            if self._last_request() == seen and time.perf_counter() - now < 2 * LULL_SECONDS:
                return

    async def _compare(self, job: ShadowJob) -> ShadowResult:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                candidate = await replayed(job.candidate, job.exchange)
        except TimeoutError:
            return ShadowResult(job.route, job.request_id, "skipped", "timeout", legacy_ms=job.legacy_ms)
        candidate_ms = round((time.perf_counter() - started) * 1000, 3)
        found = diff(job.exchange, candidate)
        return ShadowResult(
            job.route,
            job.request_id,
            "match" if found.matched else "mismatch",
            diff=None if found.matched else found.text(),
            legacy_ms=job.legacy_ms,
            candidate_ms=candidate_ms,
        )


class ShadowedApp:
    """Serve with `legacy`; then compare `migrated` on the same request and calls, `sample` of the time.

    The client's request and response pass through untouched and at legacy's pace: the
    copy is taken as they go by, the comparison waits in the runner's queue.
    """

    def __init__(
        self,
        legacy: ASGIApp,
        migrated: ASGIApp,
        route: ShadowedRoute,
        runner: ShadowRunner,
        *,
        sample: float = 1.0,
        body_limit: int = DEFAULT_BODY_LIMIT,
        keep: Callable[[Tap], None] | None = None,
    ) -> None:
        self.legacy, self.migrated, self.route, self.runner = legacy, migrated, route, runner
        self.sample, self.body_limit, self.keep = sample, body_limit, keep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The request log entered the request before any side runs.
        request = current_request()
        request_id = str(request.request_id if request else None)
        if self.sample < 1.0 and random.random() >= self.sample:
            self.runner.skip(self.route, request_id, "sampled_out")
            await self.legacy(scope, receive, send)
            return
        if self.runner.full():
            # Known before legacy runs: no copy, no capture, for a request that could not be compared.
            self.runner.skip(self.route, request_id, "queue_full")
            await self.legacy(scope, receive, send)
            return
        tap = Tap(scope, self.body_limit)
        started = time.perf_counter()
        try:
            await tap.serve(self.legacy, receive, send)
        finally:
            # Legacy raising is compared too: the router, given the same outcomes, should raise alike.
            legacy_ms = round((time.perf_counter() - started) * 1000, 3)
            if self.keep is not None:
                # One tap for both: a second capture around legacy would take the calls from the first.
                self.keep(tap)
            if tap.disconnected or not (tap.complete or tap.raised):
                self.runner.skip(self.route, request_id, "client_disconnected", legacy_ms)
            elif tap.too_large:
                self.runner.skip(self.route, request_id, "body_too_large", legacy_ms)
            else:
                self.runner.submit(ShadowJob(self.route, request_id, tap.exchange(), self.migrated, legacy_ms))
