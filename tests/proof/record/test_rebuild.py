"""Recorded outcomes rebuilt into the objects the implementation gave: uploads among them."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from starlette.datastructures import UploadFile

from proof.calls import Replay, Returned, active, observe
from proof.record import Unverifiable, rebuilt
from tests.proof.calls.toy import Toy

pytestmark = pytest.mark.anyio

CONTENT = b"\x00\xffpayload"
UPLOAD = {"filename": "a.bin", "content_type": "x/y", "size": len(CONTENT)}


def _line(returned: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "api": "toys",
        "route": "GET /upload",
        "request": {"method": "GET", "path": "/upload", "headers": [], "body": ""},
        "calls": [{"method": "stored_upload", "args": {}, "outcome": {"returned": returned}}],
        "response": {"status": 200, "headers": [], "body": ""},
    }


async def test_a_returned_upload_is_rebuilt_with_its_content_and_replayed_to_the_candidate() -> None:
    toy = observe(Toy())
    exchange = rebuilt(_line({**UPLOAD, "content_b64": base64.b64encode(CONTENT).decode()}), toy)
    (call,) = exchange.calls
    assert isinstance(call.outcome, Returned) and isinstance(call.outcome.value, UploadFile)
    with active(Replay(exchange.calls)):
        upload = await toy.stored_upload()
    assert (upload.filename, upload.content_type, upload.size) == ("a.bin", "x/y", len(CONTENT))
    assert await upload.read() == CONTENT
    assert toy.real_calls == []


def test_a_returned_upload_recorded_without_its_content_is_unverifiable() -> None:
    with pytest.raises(Unverifiable, match="stored_upload: an upload it returned was closed before its content"):
        rebuilt(_line(UPLOAD), Toy())
