from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from http_conventions import (
    INTERNAL_ERROR_MESSAGE,
    AuthenticationRequiredError,
    ConflictError,
    ResourceNotFoundError,
)
from tests.legacy_adapter.toy_api import Widget, WidgetsImpl

pytestmark = pytest.mark.anyio


class ProviderError(Exception):
    """What a provider SDK raises: an exception carrying the upstream status."""

    def __init__(self, message: str, status_code: object) -> None:
        super().__init__(message)
        self.status_code = status_code


class StatusValueError(ValueError):
    status_code = 429


class StatusPermissionError(PermissionError):
    status_code = 429


ERROR_TABLE = [
    pytest.param(ConflictError("widget 'w1' exists"), 409, "widget 'w1' exists", id="conflict-409"),
    pytest.param(ResourceNotFoundError("Widget", "w1"), 404, "Widget 'w1' not found", id="not-found-404"),
    pytest.param(
        ValueError("size must be positive"), 400, "Invalid value: size must be positive", id="value-error-400"
    ),
    pytest.param(PermissionError("not yours"), 403, "Permission denied: not yours", id="permission-403"),
    pytest.param(ConnectionError("provider down"), 502, "provider down", id="connection-502"),
    pytest.param(ConnectionRefusedError("refused"), 502, "refused", id="connection-subclass-502"),
    pytest.param(TimeoutError("too slow"), 504, "Operation timed out: too slow", id="timeout-504"),
    pytest.param(NotImplementedError("later"), 501, "Not implemented: later", id="not-implemented-501"),
    pytest.param(AuthenticationRequiredError("log in"), 401, "Authentication required: log in", id="auth-401"),
    pytest.param(ProviderError("rate limited", 429), 429, "rate limited", id="status-code-attribute"),
    pytest.param(StatusValueError("busy"), 400, "Invalid value: busy", id="value-error-before-status-code"),
    pytest.param(StatusPermissionError("busy"), 403, "Permission denied: busy", id="permission-before-status-code"),
    pytest.param(ProviderError("odd", "429"), 500, INTERNAL_ERROR_MESSAGE, id="non-int-status-code-500"),
    pytest.param(RuntimeError("secret detail"), 500, INTERNAL_ERROR_MESSAGE, id="anything-else-500"),
]


@pytest.fixture
async def strict_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that fails the test if the app raises: a server closes the connection then."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        yield client


@pytest.mark.parametrize(("error", "status", "detail"), ERROR_TABLE)
async def test_implementation_error_answers_status_of_the_error_table(
    client: httpx.AsyncClient, impl: WidgetsImpl, error: Exception, status: int, detail: str
) -> None:
    impl.to_raise = error
    response = await client.post("/v1/fail")
    assert response.status_code == status
    assert response.json() == {"detail": detail}


async def test_implementation_error_is_logged_with_the_route(
    client: httpx.AsyncClient, impl: WidgetsImpl, logs: list[MutableMapping[str, Any]]
) -> None:
    impl.to_raise = RuntimeError("secret detail")
    await client.post("/v1/fail")
    assert {"event": "endpoint_error", "route": "/v1/fail", "method": "POST", "error": "secret detail"}.items() <= (
        logs[-1].items()
    )


async def test_server_error_is_logged_once_at_error_with_its_type_and_stack(
    client: httpx.AsyncClient, impl: WidgetsImpl, logs: list[MutableMapping[str, Any]]
) -> None:
    impl.to_raise = RuntimeError("secret detail")
    await client.post("/v1/fail")
    (entry,) = [entry for entry in logs if entry["log_level"] == "error"]
    assert (entry["event"], entry["status"], entry["error_type"]) == ("endpoint_error", 500, "RuntimeError")
    # The exception itself, which the renderer turns into the traceback.
    assert entry["exc_info"] is impl.to_raise
    assert entry["exc_info"].__traceback__ is not None


@pytest.mark.parametrize(
    ("error", "status"),
    [
        pytest.param(ResourceNotFoundError("Widget", "w1"), 404, id="not-found"),
        pytest.param(ValueError("bad"), 400, id="value-error"),
    ],
)
async def test_client_error_is_logged_at_info_without_a_stack(
    client: httpx.AsyncClient, impl: WidgetsImpl, logs: list[MutableMapping[str, Any]], error: Exception, status: int
) -> None:
    impl.to_raise = error
    await client.post("/v1/fail")
    (entry,) = [entry for entry in logs if entry["event"] == "endpoint_error"]
    assert (entry["log_level"], entry["status"], entry["error"]) == ("info", status, str(error))
    assert "exc_info" not in entry


@pytest.mark.parametrize(("error", "status", "detail"), ERROR_TABLE)
async def test_implementation_error_leaves_the_connection_usable(
    strict_client: httpx.AsyncClient, impl: WidgetsImpl, error: Exception, status: int, detail: str
) -> None:
    impl.to_raise = error
    assert (await strict_client.post("/v1/fail")).status_code == status
    assert (await strict_client.get("/v1/widgets")).status_code == 200


async def test_request_validation_error_answers_400_with_enveloped_errors(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/widgets", json={"size": "big"})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "detail": {
                "errors": [
                    {"loc": ["body", "name"], "msg": "Field required", "type": "missing"},
                    {
                        "loc": ["body", "size"],
                        "msg": "Input should be a valid integer, unable to parse string as an integer",
                        "type": "int_parsing",
                    },
                ]
            }
        }
    }


async def test_request_validation_error_leaves_the_connection_usable(strict_client: httpx.AsyncClient) -> None:
    assert (await strict_client.post("/v1/widgets", json={})).status_code == 400
    assert (await strict_client.get("/v1/widgets")).status_code == 200


async def test_pydantic_validation_error_from_implementation_answers_400(
    client: httpx.AsyncClient, impl: WidgetsImpl
) -> None:
    with pytest.raises(ValidationError) as raised:
        Widget.model_validate({"size": 2})
    impl.to_raise = raised.value
    response = await client.post("/v1/fail")
    assert response.status_code == 400
    # Translated like any endpoint error, so the old server's body has no envelope here.
    assert response.json() == {
        "detail": {"errors": [{"loc": ["widget_id"], "msg": "Field required", "type": "missing"}]}
    }
