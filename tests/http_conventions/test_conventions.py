"""A team's own conventions, given once, kept by both sides: the ledger API of `tests.team_api`.

Every test runs against the gateway with the ledger on each side; `test_a_flip_changes_no_answer`
plays one exchange on both and compares.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.middleware import Middleware

from gateway import ApiRegistry
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.modes import Side
from gateway.settings import ServerSettings
from http_conventions import (
    ERROR_TABLE,
    Conventions,
    ConventionsError,
    ErrorEntry,
    current_conventions,
    translate_exception,
)
from tests.team_api.middleware import CLIENT_VERSION_HEADER
from tests.team_api.registry import CONVENTIONS, registry
from tests.team_api.service import TENANT_HEADER, EntryClash, EntryMissing, LedgerFault

SIDES: list[Side] = ["legacy", "migrated"]


async def _client(tmp_path: Path, side: Side) -> AsyncIterator[httpx.AsyncClient]:
    app = GatewayApp(registry, ServerSettings(data_dir=tmp_path), flags=FlagFile(default=side))
    async with app.running():
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture(params=SIDES)
async def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, request.param):
        yield client


def _served_by(response: httpx.Response) -> str:
    return response.headers["x-gateway-backend"]


@pytest.mark.anyio
async def test_each_side_is_the_one_the_flags_choose(ledger: httpx.AsyncClient) -> None:
    response = await ledger.get("/v1/ledger/entries")
    assert response.status_code == 200
    assert _served_by(response) in SIDES


@pytest.mark.anyio
async def test_the_teams_not_found_class_answers_404(ledger: httpx.AsyncClient) -> None:
    response = await ledger.get("/v1/ledger/entries/e9")
    assert (response.status_code, response.json()) == (404, {"detail": "no entry e9"})


@pytest.mark.anyio
async def test_the_teams_conflict_class_answers_409_in_its_message_form(ledger: httpx.AsyncClient) -> None:
    assert (await ledger.post("/v1/ledger/entries", json={"entry_id": "e1", "amount": 5})).status_code == 200
    response = await ledger.post("/v1/ledger/entries", json={"entry_id": "e1", "amount": 6})
    assert (response.status_code, response.json()) == (409, {"detail": "Conflict: entry e1 exists"})


@pytest.mark.anyio
async def test_built_in_entries_still_answer_after_the_teams(ledger: httpx.AsyncClient) -> None:
    response = await ledger.post("/v1/ledger/entries", json={"entry_id": "e1"})
    assert response.status_code == 400
    assert response.json()["error"]["detail"]["errors"][0]["loc"] == ["body", "amount"]


@pytest.mark.anyio
async def test_the_teams_context_reaches_the_implementation(ledger: httpx.AsyncClient) -> None:
    response = await ledger.post(
        "/v1/ledger/entries", json={"entry_id": "e1", "amount": 5}, headers={TENANT_HEADER: "acme"}
    )
    assert response.json()["tenant"] == "acme"


@pytest.mark.anyio
async def test_the_teams_context_is_set_at_every_step_of_a_stream(ledger: httpx.AsyncClient) -> None:
    response = await ledger.post("/v1/ledger/ticks", json={"count": 3, "stream": True}, headers={TENANT_HEADER: "acme"})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text == "".join(f'data: {{"index":{i},"tenant":"acme"}}\n\n' for i in range(3))


@pytest.mark.anyio
async def test_the_result_hook_sees_every_result_with_its_route(ledger: httpx.AsyncClient) -> None:
    response = await ledger.get("/v1/ledger/entries")
    assert response.json() == {"data": [], "url": "/v1/ledger/entries"}


@pytest.mark.anyio
async def test_the_teams_middleware_runs_around_every_route(ledger: httpx.AsyncClient) -> None:
    old = await ledger.get("/v1/ledger/entries", headers={CLIENT_VERSION_HEADER: "1"})
    assert (old.status_code, old.json()) == (426, {"detail": "Upgrade Required: client 1 < 2"})
    current = await ledger.get("/v1/ledger/entries", headers={CLIENT_VERSION_HEADER: "2"})
    assert current.status_code == 200


@pytest.mark.anyio
async def test_a_second_protocol_is_served_from_an_attribute_path(ledger: httpx.AsyncClient) -> None:
    await ledger.post("/v1/ledger/entries", json={"entry_id": "e1", "amount": 5})
    response = await ledger.post("/v1/ledger/audit/query", json={"entry_id": "e1"}, headers={TENANT_HEADER: "acme"})
    assert response.json() == {"entry_id": "e1", "tenant": "acme"}
    missing = await ledger.post("/v1/ledger/audit/query", json={"entry_id": "e2"})
    assert missing.status_code == 404


@pytest.mark.anyio
async def test_an_api_whose_protocol_has_no_routes_serves_nothing(ledger: httpx.AsyncClient) -> None:
    # The gateway started it (registered second) and serves none of its methods.
    routes = (await ledger.get("/_gateway/routes")).json()["data"]
    assert {route["api"] for route in routes} == {"ledger"}
    assert (await ledger.post("/v1/housekeeping/compact")).status_code == 404


EXCHANGE: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]] = [
    ("GET", "/v1/ledger/entries", None, {}),
    ("POST", "/v1/ledger/entries", {"entry_id": "e1", "amount": 5}, {TENANT_HEADER: "acme"}),
    ("POST", "/v1/ledger/entries", {"entry_id": "e1", "amount": 5}, {}),
    ("POST", "/v1/ledger/entries", {"entry_id": 7}, {}),
    ("GET", "/v1/ledger/entries/e1", None, {}),
    ("GET", "/v1/ledger/entries/nope", None, {}),
    ("GET", "/v1/ledger/entries", None, {CLIENT_VERSION_HEADER: "1"}),
    ("POST", "/v1/ledger/ticks", {"count": 2, "stream": True}, {TENANT_HEADER: "t2"}),
    ("POST", "/v1/ledger/audit/query", {"entry_id": "e1"}, {TENANT_HEADER: "t3"}),
    ("POST", "/v1/ledger/audit/query", {"entry_id": "nope"}, {}),
    ("GET", "/v1/ledger/entries", None, {}),
]


async def _play(tmp_path: Path, side: Side) -> list[tuple[int, str, str]]:
    answers = []
    async for client in _client(tmp_path / side, side):
        for method, path, body, headers in EXCHANGE:
            response = await client.request(method, path, json=body, headers=headers)
            assert _served_by(response) == side
            answers.append((response.status_code, response.headers.get("content-type", ""), response.text))
    return answers


@pytest.mark.anyio
async def test_a_flip_changes_no_answer(tmp_path: Path) -> None:
    legacy, migrated = await _play(tmp_path, "legacy"), await _play(tmp_path, "migrated")
    assert legacy == migrated
    assert {status for status, _, _ in legacy} == {200, 400, 404, 409, 426}


def test_team_entries_come_before_the_built_in_table() -> None:
    assert CONVENTIONS.error_table == (*CONVENTIONS.errors, *ERROR_TABLE)
    # EntryMissing is no ValueError: without the team's entry it would be a 500.
    assert translate_exception(EntryMissing("x")).status_code == 500
    assert translate_exception(EntryMissing("x"), CONVENTIONS.error_table).status_code == 404


def test_outside_a_request_the_defaults_are_current() -> None:
    assert current_conventions() == Conventions()


def test_registry_takes_conventions_once_for_every_api() -> None:
    assert {registration.conventions for registration in registry} == {CONVENTIONS}
    with pytest.raises(TypeError, match="must be an http_conventions.Conventions"):
        ApiRegistry(conventions={"errors": []})  # type: ignore[arg-type]


NOT_AN_EXCEPTION: Any = str
NOT_ASGI: Any = print


class NotMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, request: Any) -> None: ...


@pytest.mark.parametrize(
    ("given", "message"),
    [
        pytest.param(
            {"errors": [ErrorEntry("odd", NOT_AN_EXCEPTION, 400)]},
            r"errors\[0\] \('odd'\) names <class 'str'>, which is not an exception class",
            id="non-exception-class",
        ),
        pytest.param(
            {"errors": [ErrorEntry("a", EntryMissing, 404), ErrorEntry("b", (LedgerFault, EntryMissing), 400)]},
            r"errors\[1\] \('b'\) answers EntryMissing, which entry 'a' already answers; keep one",
            id="two-entries-one-class",
        ),
        pytest.param({"errors": [(EntryClash, 409)]}, r"errors\[0\] must be an ErrorEntry", id="not-an-entry"),
        pytest.param(
            {"middleware": [NotMiddleware]},
            r"middleware\[0\] is <class .*NotMiddleware'>, which is not ASGI",
            id="sync",
        ),
        pytest.param(
            {"middleware": [Middleware(NOT_ASGI)]}, r"middleware\[0\] is <built-in function print>", id="func"
        ),
        pytest.param({"result_hook": "page_url"}, "result_hook must be callable", id="hook"),
    ],
)
def test_bad_conventions_are_refused_naming_the_entry(given: dict[str, Any], message: str) -> None:
    with pytest.raises(ConventionsError, match=message):
        Conventions(**given)
