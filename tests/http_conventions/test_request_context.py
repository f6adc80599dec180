from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any

import anyio
import pytest
from starlette.requests import HTTPConnection

from http_conventions import (
    PROVIDER_DATA_HEADER,
    RequestContext,
    bound_request_context,
    current_request_context,
    within_context,
)
from http_conventions.request_context import current_scope, within_scope
from tests.captured_logs import captured_logs

CONTEXT = RequestContext(user="ada", provider_data={"api_key": "k"})


@pytest.fixture(autouse=True)
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with captured_logs() as captured:
        yield captured


def _connection(header: str | None = None, user: Any = None) -> HTTPConnection:
    headers = [] if header is None else [(PROVIDER_DATA_HEADER.lower().encode(), header.encode())]
    scope: dict[str, Any] = {"type": "http", "headers": headers}
    if user is not None:
        scope["user"] = user
    return HTTPConnection(scope)


def test_context_reads_provider_data_header() -> None:
    context = RequestContext.from_connection(_connection(json.dumps({"api_key": "k", "n": 1})))
    assert context.provider_data == {"api_key": "k", "n": 1}


def test_context_reads_the_authenticated_user_from_the_scope() -> None:
    assert RequestContext.from_connection(_connection(user="ada")).user == "ada"


def test_context_without_header_has_empty_provider_data() -> None:
    assert RequestContext.from_connection(_connection()) == RequestContext()


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param("[1, 2]", id="list"),
        pytest.param('"text"', id="string"),
        pytest.param("null", id="null"),
    ],
)
def test_malformed_provider_data_header_is_ignored_with_a_warning(
    header: str, logs: list[MutableMapping[str, Any]]
) -> None:
    assert RequestContext.from_connection(_connection(header)).provider_data == {}
    assert [(entry["event"], entry["log_level"]) for entry in logs] == [("provider_data_ignored", "warning")]


def test_current_context_outside_any_request_is_empty() -> None:
    assert current_request_context() == RequestContext()


def test_bound_context_is_current_inside_the_block_only() -> None:
    with bound_request_context(CONTEXT):
        assert current_request_context() is CONTEXT
    assert current_request_context() == RequestContext()


def test_bound_context_is_reset_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), bound_request_context(CONTEXT):
        raise RuntimeError
    assert current_request_context() == RequestContext()


class Observed:
    """An async iterator that records the context current at each of its steps."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.seen: list[RequestContext] = []
        self.closed = False

    async def iterate(self) -> AsyncIterator[int]:
        try:
            for index in range(self.count):
                await anyio.sleep(0)
                self.seen.append(current_request_context())
                yield index
        finally:
            self.closed = True


@pytest.mark.anyio
async def test_within_context_makes_the_context_current_at_every_step() -> None:
    observed = Observed(3)
    items = [item async for item in within_context(CONTEXT, observed.iterate())]
    assert items == [0, 1, 2]
    assert observed.seen == [CONTEXT] * 3


@pytest.mark.anyio
async def test_within_context_does_not_leak_into_the_consumer() -> None:
    async for _ in within_context(CONTEXT, Observed(2).iterate()):
        assert current_request_context() == RequestContext()
    assert current_request_context() == RequestContext()


@pytest.mark.anyio
async def test_closing_within_context_closes_the_wrapped_iterator() -> None:
    observed = Observed(5)
    items = within_context(CONTEXT, observed.iterate())
    assert await anext(items) == 0
    await items.aclose()  # type: ignore[attr-defined]
    assert observed.closed
    assert current_request_context() == RequestContext()


@pytest.mark.anyio
async def test_outside_an_endpoint_a_stream_keeps_the_context_bound_when_it_was_made() -> None:
    observed = Observed(2)
    with bound_request_context(CONTEXT):
        items = within_scope(current_scope(), observed.iterate())
    assert [item async for item in items] == [0, 1]
    assert observed.seen == [CONTEXT, CONTEXT]
