"""The shadow queue: comparisons off the client's path, bounded in count and time, every request accounted for."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.log_context import REQUEST, LineFields, RequestContext
from gateway.shadow_results import ShadowedRoute, ShadowResult
from gateway.shadowing import ShadowedApp, ShadowJob, ShadowRunner
from proof import Exchange, ExchangeRequest, ExchangeResponse

pytestmark = pytest.mark.anyio

ROUTE = ShadowedRoute("things", "GET", "/v1/things")
SCOPE: Scope = {"type": "http", "method": "GET", "path": "/v1/things", "query_string": b"", "headers": []}
LEGACY = Exchange(
    ExchangeRequest.of(SCOPE),
    (),
    ExchangeResponse(200, ((b"content-type", b"application/json"),), b'{"n":1}', complete=True),
)


def _answering(body: dict[str, int], delay: float = 0.0) -> JSONResponse:
    response = JSONResponse(body)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(delay)
        await response(scope, receive, send)

    return app  # type: ignore[return-value]


def _job(candidate: object, request_id: str = "r1") -> ShadowJob:
    return ShadowJob(ROUTE, request_id, LEGACY, candidate, legacy_ms=1.0)  # type: ignore[arg-type]


async def _settled(results: list[ShadowResult], count: int) -> None:
    async with asyncio.timeout(5):
        while len(results) < count:
            await asyncio.sleep(0.005)


async def test_a_matching_candidate_is_a_match_with_both_timings() -> None:
    results: list[ShadowResult] = []
    runner = ShadowRunner(results.append)
    async with runner.running():
        runner.submit(_job(_answering({"n": 1})))
        await _settled(results, 1)
    (result,) = results
    assert (result.result, result.reason, result.diff) == ("match", None, None)
    assert result.legacy_ms == 1.0 and result.candidate_ms is not None


async def test_a_differing_candidate_is_a_mismatch_with_its_diff() -> None:
    results: list[ShadowResult] = []
    runner = ShadowRunner(results.append)
    async with runner.running():
        runner.submit(_job(_answering({"n": 2})))
        await _settled(results, 1)
    assert (results[0].result, results[0].diff) == ("mismatch", "body $.n: legacy 1 | migrated 2")


async def test_a_candidate_past_the_timeout_is_skipped_and_the_next_is_compared() -> None:
    results: list[ShadowResult] = []
    runner = ShadowRunner(results.append, timeout=0.05)
    async with runner.running():
        runner.submit(_job(_answering({"n": 1}, delay=10), "hangs"))
        runner.submit(_job(_answering({"n": 1}), "next"))
        await _settled(results, 2)
    assert [(r.request_id, r.result, r.reason) for r in results] == [
        ("hangs", "skipped", "timeout"),
        ("next", "match", None),
    ]


async def test_a_full_queue_skips_at_once_and_shutdown_accounts_for_what_was_queued() -> None:
    results: list[ShadowResult] = []
    runner = ShadowRunner(results.append, queue_size=2, timeout=5)
    async with runner.running():
        for index in range(4):
            runner.submit(_job(_answering({"n": 1}, delay=10), f"r{index}"))
        # Two queued (one of them taken by the task at its next turn), the other two skipped at once.
        assert [(r.request_id, r.reason) for r in results] == [("r2", "queue_full"), ("r3", "queue_full")]
        await asyncio.sleep(0.01)
    assert [(r.request_id, r.reason) for r in results[2:]] == [("r0", "shutdown"), ("r1", "shutdown")]


async def test_a_comparison_that_fails_is_reported_and_the_task_goes_on() -> None:
    results: list[ShadowResult] = []
    runner = ShadowRunner(results.append)
    async with runner.running():
        runner.submit(ShadowJob(ROUTE, "broken", None, _answering({"n": 1}), 1.0))  # type: ignore[arg-type]
        runner.submit(_job(_answering({"n": 1}), "fine"))
        await _settled(results, 2)
    assert [(r.request_id, r.result, r.reason) for r in results] == [
        ("broken", "skipped", "comparison_failed"),
        ("fine", "match", None),
    ]


def _client(body: bytes = b"", *, then_disconnect: bool = False) -> tuple[Receive, list[Message]]:
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if not then_disconnect:
            await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    return receive, sent


async def _shadowed(
    legacy: ASGIApp, migrated: ASGIApp, receive: Receive, *, sample: float = 1.0, body_limit: int = 1024
) -> tuple[list[ShadowResult], list[Message]]:
    results: list[ShadowResult] = []
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    runner = ShadowRunner(results.append)
    app = ShadowedApp(legacy, migrated, ROUTE, runner, sample=sample, body_limit=body_limit)
    REQUEST.set(RequestContext("req-1", LineFields("legacy")))
    async with runner.running():
        with suppress(RuntimeError):
            await app(dict(SCOPE), receive, send)
        await _settled(results, 1)
    return results, sent


async def _echo_body(scope: Scope, receive: Receive, send: Send) -> None:
    body = await Request(scope, receive).body()
    await JSONResponse({"size": len(body)})(scope, receive, send)


async def test_shadowed_app_answers_with_legacy_and_compares_the_router_after() -> None:
    receive, _ = _client(b"12345")
    results, sent = await _shadowed(_echo_body, _answering({"size": 4}), receive)
    assert sent[-1]["body"] == b'{"size":5}'
    assert [(r.request_id, r.result, r.diff) for r in results] == [
        ("req-1", "mismatch", "body $.size: legacy 5 | migrated 4")
    ]


@pytest.mark.parametrize(("sample", "expected"), [(0.0, ("skipped", "sampled_out")), (1.0, ("match", None))])
async def test_shadowed_app_sample(sample: float, expected: tuple[str, str | None]) -> None:
    receive, _ = _client()
    results, sent = await _shadowed(_answering({"n": 1}), _answering({"n": 1}), receive, sample=sample)
    assert sent[-1]["body"] == b'{"n":1}'
    assert [(r.result, r.reason) for r in results] == [expected]


async def test_shadowed_app_skips_a_body_over_the_limit_and_still_serves_it_whole() -> None:
    receive, _ = _client(b"x" * 2000)
    results, sent = await _shadowed(_echo_body, _echo_body, receive, body_limit=1024)
    assert sent[-1]["body"] == b'{"size":2000}'
    assert [(r.result, r.reason) for r in results] == [("skipped", "body_too_large")]


async def test_shadowed_app_skips_a_request_whose_client_left_before_the_answer() -> None:
    async def waits_for_client(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await receive()

    receive, _ = _client(then_disconnect=True)
    results, _ = await _shadowed(waits_for_client, _answering({"n": 1}), receive)
    assert [(r.result, r.reason) for r in results] == [("skipped", "client_disconnected")]


async def test_shadowed_app_compares_when_legacy_raises() -> None:
    async def raises(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("legacy broke")

    receive, _ = _client()
    results, _ = await _shadowed(raises, _answering({"n": 1}), receive)
    assert results[0].result == "mismatch"
    assert results[0].diff is not None and results[0].diff.startswith("status: legacy 0 | migrated 200")


async def _started_at(runner: ShadowRunner, results: list[ShadowResult], count: int) -> list[float]:
    starts: list[float] = []

    async def noting(scope: Scope, receive: Receive, send: Send) -> None:
        starts.append(time.perf_counter())
        await asyncio.sleep(0.02)
        await JSONResponse({"n": 1})(scope, receive, send)

    async with runner.running():
        for index in range(count):
            runner.submit(_job(noting, f"r{index}"))
        await _settled(results, count)
    return starts


async def test_a_busy_worker_gives_comparisons_at_most_their_share_of_its_time() -> None:
    results: list[ShadowResult] = []
    # Requests keep coming in: the last one always just now.
    runner = ShadowRunner(results.append, last_request=time.perf_counter, busy_share=0.5)
    first, second = await _started_at(runner, results, 2)
    # The first comparison took about 20 ms; at half the worker's time, the next waits as long.
    assert second - first >= 0.04


async def test_a_worker_with_no_request_coming_in_compares_at_once() -> None:
    results: list[ShadowResult] = []
    runner = ShadowRunner(results.append, last_request=lambda: 0.0, busy_share=0.01)
    first, second = await _started_at(runner, results, 2)
    assert second - first < 0.5 * 0.02 / 0.01


async def test_shadowed_app_skips_at_once_when_the_queue_is_full() -> None:
    results: list[ShadowResult] = []
    runner = ShadowRunner(results.append, queue_size=1)
    runner.submit(_job(_answering({"n": 1}), "waiting"))
    app = ShadowedApp(_echo_body, _echo_body, ROUTE, runner)
    receive, _ = _client(b"abc")
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    REQUEST.set(RequestContext("late", LineFields("legacy")))
    await app(dict(SCOPE), receive, send)
    assert sent[-1]["body"] == b'{"size":3}'
    assert [(r.request_id, r.reason) for r in results] == [("late", "queue_full")]
