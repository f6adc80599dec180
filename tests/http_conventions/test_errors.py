from __future__ import annotations

import errno
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from http_conventions import (
    INTERNAL_ERROR_MESSAGE,
    AuthenticationRequiredError,
    ConflictError,
    ResourceNotFoundError,
    install_error_handlers,
    translate_exception,
)
from tests.captured_logs import captured_logs

DISK_FULL = "Insufficient storage: no space left on the server's disk"


def _sqlite_full() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = sqlite3.SQLITE_FULL
    return error


class ProviderError(Exception):
    def __init__(self, message: str, status_code: object) -> None:
        super().__init__(message)
        self.status_code = status_code


class NotFoundWithStatus(ResourceNotFoundError):
    status_code = 410


class Point(BaseModel):
    x: int


def _validation_error() -> ValidationError:
    try:
        Point.model_validate({"x": "left"})
    except ValidationError as exc:
        return exc
    raise AssertionError("the input was valid")


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        pytest.param(ConflictError("exists"), 409, "exists", id="conflict-before-value-error"),
        pytest.param(
            ResourceNotFoundError("Model", "m1"), 404, "Model 'm1' not found", id="not-found-before-value-error"
        ),
        pytest.param(NotFoundWithStatus("Model", "m1"), 404, "Model 'm1' not found", id="not-found-before-status-code"),
        pytest.param(ValueError("bad"), 400, "Invalid value: bad", id="value-error"),
        pytest.param(PermissionError("no"), 403, "Permission denied: no", id="permission"),
        pytest.param(ConnectionError("down"), 502, "down", id="connection"),
        pytest.param(TimeoutError("slow"), 504, "Operation timed out: slow", id="timeout"),
        pytest.param(NotImplementedError("later"), 501, "Not implemented: later", id="not-implemented"),
        pytest.param(AuthenticationRequiredError("who"), 401, "Authentication required: who", id="authentication"),
        pytest.param(ProviderError("limited", 429), 429, "limited", id="int-status-code"),
        pytest.param(
            OSError(errno.ENOSPC, "No space left on device", "/srv/data/files/.upload-x"),
            507,
            "Insufficient storage: no space left on the server's disk",
            id="disk-full-names-no-path",
        ),
        pytest.param(OSError(errno.EDQUOT, "Disk quota exceeded"), 507, DISK_FULL, id="quota"),
        pytest.param(_sqlite_full(), 507, DISK_FULL, id="database-full"),
        pytest.param(OSError(errno.EIO, "I/O error"), 500, INTERNAL_ERROR_MESSAGE, id="other-os-error"),
        pytest.param(ProviderError("odd", True), 500, INTERNAL_ERROR_MESSAGE, id="bool-status-code-is-not-a-status"),
        pytest.param(ProviderError("odd", None), 500, INTERNAL_ERROR_MESSAGE, id="none-status-code"),
        pytest.param(KeyError("secret"), 500, INTERNAL_ERROR_MESSAGE, id="anything-else-hides-its-message"),
    ],
)
def test_translate_exception_follows_the_error_table_in_order(error: Exception, status: int, detail: str) -> None:
    translated = translate_exception(error)
    assert (translated.status_code, translated.detail) == (status, detail)


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(_validation_error(), id="pydantic-validation-error"),
        pytest.param(RequestValidationError(_validation_error().errors()), id="request-validation-error"),
    ],
)
def test_translate_validation_error_gives_400_with_loc_msg_type(error: Exception) -> None:
    translated = translate_exception(error)
    detail: object = translated.detail  # a structured detail, though typed as a string
    assert translated.status_code == 400
    assert detail == {
        "errors": [
            {
                "loc": ["x"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "type": "int_parsing",
            }
        ]
    }


def test_resource_not_found_error_carries_kind_and_id() -> None:
    error = ResourceNotFoundError("Model", "m1")
    assert (error.kind, error.resource_id, str(error)) == ("Model", "m1", "Model 'm1' not found")


def _raise(error: Exception) -> Callable[[], None]:
    def dependency() -> None:
        raise error

    return dependency


def _app_with_failures() -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def failing_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path == "/middleware":
            raise ConnectionError("upstream gone")
        return await call_next(request)

    install_error_handlers(app)

    @app.get("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/dependency", dependencies=[Depends(_raise(RuntimeError("secret detail")))])
    async def dependency() -> None: ...

    @app.get("/dependency-permission", dependencies=[Depends(_raise(PermissionError("not yours")))])
    async def dependency_permission() -> None: ...

    @app.get("/unserialisable")
    async def unserialisable() -> object:
        return object()

    @app.get("/http-exception")
    async def http_exception() -> None:
        raise HTTPException(status_code=418, detail="teapot")

    @app.get("/validated")
    async def validated(limit: int) -> dict[str, int]:
        return {"limit": limit}

    return app


@pytest.fixture(autouse=True)
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with captured_logs() as captured:
        yield captured


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(_app_with_failures(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def strict_client() -> AsyncIterator[httpx.AsyncClient]:
    # The transport raises what the app raises after answering: uvicorn closes the connection then.
    transport = httpx.ASGITransport(_app_with_failures())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        pytest.param("/dependency", 500, {"error": {"detail": INTERNAL_ERROR_MESSAGE}}, id="dependency-500"),
        pytest.param(
            "/dependency-permission",
            403,
            {"error": {"detail": "Permission denied: not yours"}},
            id="dependency-403",
        ),
        pytest.param("/middleware", 502, {"error": {"detail": "upstream gone"}}, id="middleware-502"),
        pytest.param(
            "/validated?limit=many",
            400,
            {
                "error": {
                    "detail": {
                        "errors": [
                            {
                                "loc": ["query", "limit"],
                                "msg": "Input should be a valid integer, unable to parse string as an integer",
                                "type": "int_parsing",
                            }
                        ]
                    }
                }
            },
            id="request-validation-400",
        ),
    ],
)
async def test_unhandled_error_answers_enveloped_detail(
    client: httpx.AsyncClient, path: str, status: int, body: object
) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert response.json() == body


@pytest.mark.anyio
async def test_unhandled_server_error_is_logged_with_its_exception(
    client: httpx.AsyncClient, logs: list[MutableMapping[str, Any]]
) -> None:
    await client.get("/dependency")
    (entry,) = [entry for entry in logs if entry["event"] == "unhandled_error"]
    assert entry["path"] == "/dependency"
    assert isinstance(entry["exc_info"], RuntimeError)


@pytest.mark.anyio
async def test_error_serialising_the_result_answers_enveloped_detail(client: httpx.AsyncClient) -> None:
    response = await client.get("/unserialisable")
    # Pydantic's serialisation error is a ValueError, so the table answers 400.
    assert response.status_code == 400
    assert response.json()["error"]["detail"].startswith("Invalid value: Unable to serialize unknown type")


@pytest.mark.anyio
async def test_http_exception_keeps_fastapi_detail_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/http-exception")
    assert response.status_code == 418
    assert response.json() == {"detail": "teapot"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/dependency", id="dependency"),
        pytest.param("/middleware", id="middleware"),
        pytest.param("/unserialisable", id="unserialisable-result"),
        pytest.param("/http-exception", id="http-exception"),
        pytest.param("/validated", id="request-validation"),
    ],
)
async def test_after_an_error_the_same_client_is_served(strict_client: httpx.AsyncClient, path: str) -> None:
    first = await strict_client.get(path)
    assert first.status_code >= 400
    second = await strict_client.get("/ok")
    assert (second.status_code, second.json()) == (200, {"ok": True})
