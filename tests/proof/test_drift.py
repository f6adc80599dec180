"""Each drift class of SPEC 5, in a router registered in place of the example one, is a mismatch naming it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from starlette.applications import Starlette

from gateway.registry import ApiContext, AppFactory
from http_conventions import create_router_app
from tests.proof import drifting_routers
from tests.proof.shadowing import shadowing

pytestmark = pytest.mark.anyio

REGISTER: dict[str, Any] = {
    "method": "POST",
    "url": "/v1/models",
    "json": {"model_id": "drift/one", "provider_model_id": "lorem"},
}
UPLOAD: dict[str, Any] = {
    "method": "POST",
    "url": "/v1/files",
    "files": {"file": ("a.txt", b"hello")},
    "data": {"purpose": "batch"},
}
STREAM: dict[str, Any] = {"model": "echo", "messages": [{"role": "user", "content": "one two"}], "stream": True}


def _app(create_router: Callable[[], APIRouter]) -> AppFactory:
    def build(implementation: Any, context: ApiContext) -> Starlette:
        return create_router_app(create_router(), implementation, title="drifting")

    return build


ROUTERS = {
    "models": _app(drifting_routers.models_router),
    "files": _app(drifting_routers.files_router),
    "inference": _app(drifting_routers.inference_router),
}


@pytest.mark.parametrize(
    ("before", "request_", "expected"),
    [
        pytest.param(
            [REGISTER],
            {"method": "DELETE", "url": "/v1/models/drift/one"},
            {"status": (204, 200), "media type": ("(absent)", "application/json")},
            id="204-became-200-null",
        ),
        pytest.param(
            [],
            UPLOAD,
            {"calls[0] upload_file args $.purpose": ("batch", "assistants")},
            id="multipart-field-dropped",
        ),
        pytest.param(
            [],
            {"method": "GET", "url": "/v1/models/nobody"},
            {"body $.detail": ("Model 'nobody' not found", "(absent)"), "body $.error": ("(absent)", None)},
            id="error-body-changed",
        ),
        pytest.param(
            [{**REGISTER, "json": {"model_id": "drift/one", "metadata": {"team": "a"}}}],
            {"method": "GET", "url": "/v1/models/drift/one"},
            {"body $.metadata": ({"team": "a"}, "(absent)")},
            id="response-field-filtered",
        ),
        pytest.param(
            [],
            {"method": "POST", "url": "/v1/models", "json": {"model_id": "drift/two"}},
            {"calls[0] register_model args $.provider_model_id": (None, "echo")},
            id="different-argument",
        ),
        pytest.param(
            [],
            {"method": "GET", "url": "/v1/models"},
            {"calls[0] get_model": ("(no call)", {"model_id": "echo"}), "status": (200, 500)},
            id="extra-implementation-call",
        ),
        pytest.param(
            [],
            {"method": "POST", "url": "/v1/chat/completions", "json": STREAM},
            {"body $[4]": ("(absent)", "[DONE]")},
            id="sse-framing-changed",
        ),
        pytest.param(
            [UPLOAD],
            {"method": "GET", "url": "/v1/files/{id}"},
            {"raised after its response": ("(absent)", None)},
            id="raised-after-response",
        ),
    ],
)
async def test_drifting_router_is_a_mismatch_naming_the_drift(
    tmp_path: Path, before: list[dict[str, Any]], request_: dict[str, Any], expected: dict[str, tuple[Any, Any]]
) -> None:
    async with shadowing(tmp_path, routers=ROUTERS) as (client, app):
        saved: dict[str, str] = {}
        for step in before:
            saved["id"] = (await client.request(**step)).json().get("id", "")
        response = await client.request(**{**request_, "url": request_["url"].format(**saved)})
    result = app.results[-1]
    # The client got legacy's answer, whatever the router did.
    assert response.status_code == result.legacy.response.status
    assert response.content == result.legacy.response.body
    assert not result.diff.matched
    found = {f.where: (_shown(f.expected), _shown(f.actual)) for f in result.diff.findings}
    for where, (legacy, migrated) in expected.items():
        assert where in found, result.diff.text()
        assert found[where][0] == legacy or legacy is None, result.diff.text()
        assert found[where][1] == migrated or migrated is None, result.diff.text()
    for where in expected:
        assert where in result.diff.text()
    assert app.candidate_real_calls == []


def _shown(value: Any) -> Any:
    return repr(value) if type(value).__name__ == "_Marker" else value


async def test_a_matching_router_in_the_same_harness_is_no_mismatch(tmp_path: Path) -> None:
    async with shadowing(tmp_path) as (client, app):
        response = await client.request(**UPLOAD)
        await client.delete(f"/v1/files/{response.json()['id']}")
    assert [r.diff.matched for r in app.results] == [True, True]


async def test_shadowed_upload_and_delete_leave_one_effect(tmp_path: Path) -> None:
    async with shadowing(tmp_path) as (client, app):
        uploaded = (await client.request(**UPLOAD)).json()
        listed = (await client.get("/v1/files")).json()["data"]
        deleted = await client.delete(f"/v1/files/{uploaded['id']}")
        after = (await client.get("/v1/files")).json()["data"]
    assert [f["id"] for f in listed] == [uploaded["id"]]
    assert deleted.status_code == 200 and after == []
    assert list((tmp_path / "files").iterdir()) == []
    assert all(r.diff.matched for r in app.results)
