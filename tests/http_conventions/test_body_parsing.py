"""Every way of failing to read a body answers 400 in the validation shape, on apps of both kinds."""

from __future__ import annotations

import errno
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Body, FastAPI, File, Form, UploadFile
from pydantic import BaseModel
from starlette.datastructures import UploadFile as StarletteUploadFile

from http_conventions import ConventionRouter, EmbeddedFields, create_conventional_app, create_router_app
from http_conventions.json_body import CHECKED_FROM

pytestmark = pytest.mark.anyio


class Note(BaseModel):
    text: str


class Fields(EmbeddedFields):
    text: str


async def _note(note: Note) -> dict[str, Any]:
    return {"text": note.text}


async def _fields(request: Fields) -> dict[str, Any]:
    return {"text": request.text}


async def _upload(file: Annotated[UploadFile, File()], purpose: Annotated[str, Form()]) -> dict[str, Any]:
    return {"size": len(await file.read()), "purpose": purpose}


async def _embedded(text: Annotated[str, Body(embed=True)]) -> dict[str, Any]:
    return {"text": text}


def _added_routes() -> FastAPI:
    # Routes added after the app is made, as the legacy adapter adds its own.
    app = create_conventional_app(title="added", version="1")
    app.add_api_route("/notes", _note, methods=["POST"])
    app.add_api_route("/fields", _fields, methods=["POST"])
    app.add_api_route("/upload", _upload, methods=["POST"])
    app.add_api_route("/embedded", _embedded, methods=["POST"])
    return app


def _router_app() -> FastAPI:
    router = ConventionRouter()
    router.post("/notes")(_note)
    router.post("/fields")(_fields)
    router.post("/upload")(_upload)
    router.post("/embedded")(_embedded)
    return create_router_app(router, object(), title="router")


@pytest.fixture(params=[pytest.param(_added_routes, id="added-routes"), pytest.param(_router_app, id="router")])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(request.param(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text
    errors: list[dict[str, Any]] = response.json()["error"]["detail"]["errors"]
    return errors


@pytest.mark.parametrize("path", ["/notes", "/fields", "/embedded"])
@pytest.mark.parametrize("size", [pytest.param(10, id="small"), pytest.param(CHECKED_FROM, id="large")])
async def test_invalid_utf8_in_a_json_body_is_a_validation_error(
    client: httpx.AsyncClient, path: str, size: int
) -> None:
    body = b'{"text": "' + b"x" * size + b'\xff"}'
    (error,) = _errors(await client.post(path, content=body, headers={"content-type": "application/json"}))
    assert error["type"] == "json_invalid"
    assert error["loc"] == ["body", body.index(b"\xff")]


async def test_malformed_json_keeps_fastapis_answer(client: httpx.AsyncClient) -> None:
    (error,) = _errors(await client.post("/notes", content=b'{"text": ', headers={"content-type": "application/json"}))
    assert error == {"loc": ["body", 9], "msg": "JSON decode error", "type": "json_invalid"}


async def test_a_large_body_parses_and_validates(client: httpx.AsyncClient) -> None:
    text = "word " * CHECKED_FROM
    for path in ("/notes", "/fields", "/embedded"):
        response = await client.post(path, json={"text": text})
        assert (response.status_code, response.json()) == (200, {"text": text})


async def test_a_body_without_content_type_is_read_as_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", content=b'{"text": "plain"}', headers={"content-type": ""})
    assert (response.status_code, response.json()) == (200, {"text": "plain"})


async def test_router_embedded_fields_without_a_body_fail_field_by_field() -> None:
    transport = httpx.ASGITransport(_router_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for body in (b"", b"[]"):
            response = await client.post("/fields", content=body, headers={"content-type": "application/json"})
            assert [(e["loc"], e["type"]) for e in _errors(response)] == [(["body", "text"], "missing")]


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        pytest.param("multipart/form-data", b"--x\r\n", "Missing boundary in multipart.", id="no-boundary"),
        pytest.param(
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; filename="a"\r\n\r\nabc\r\n--x--\r\n',
            'The Content-Disposition header field "name" must be provided.',
            id="part-without-name",
        ),
    ],
)
async def test_malformed_multipart_is_a_validation_error(
    client: httpx.AsyncClient, content_type: str, body: bytes, message: str
) -> None:
    (error,) = _errors(await client.post("/upload", content=body, headers={"content-type": content_type}))
    assert error == {"loc": ["body"], "msg": message, "type": "multipart_invalid"}


async def test_a_well_formed_upload_still_works(client: httpx.AsyncClient) -> None:
    response = await client.post("/upload", files={"file": ("a.bin", b"abc")}, data={"purpose": "batch"})
    assert (response.status_code, response.json()) == (200, {"size": 3, "purpose": "batch"})


async def test_a_full_disk_while_spooling_an_upload_answers_507(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def disk_full(self: StarletteUploadFile, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/spool")

    monkeypatch.setattr(StarletteUploadFile, "write", disk_full)
    response = await client.post("/upload", files={"file": ("a.bin", b"abc")}, data={"purpose": "batch"})
    assert response.status_code == 507
    assert response.json() == {"detail": "Insufficient storage: no space left on the server's disk"}
