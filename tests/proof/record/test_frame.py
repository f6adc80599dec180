"""An exchange encoded on the event loop and made a line in the writer process: the same line, to the byte, as
its calls made data at once (the shadow's comparison and the recording share one shape)."""

from __future__ import annotations

import asyncio
import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

import pytest
from pydantic_core import to_json
from starlette.datastructures import Headers, UploadFile
from starlette.responses import JSONResponse, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from proof import Tap, observe
from proof.record import REDACTED
from proof.record.frame import decoded, encoded
from proof.record.line import exchange_line
from tests.proof.calls.toy import Item

pytestmark = pytest.mark.anyio


class Refused(Exception):
    def __init__(self, reason: str, retry: int) -> None:
        super().__init__(reason)
        self.retry = retry
        self.status_code = 409


@dataclass
class Window:
    start: datetime
    items: list[Item]


class Awkward:
    """Arguments and outcomes of every kind `plain` knows, some of them costly."""

    async def take(self, item: Item, raw: bytes, ratio: float, tags: frozenset[bytes], limit: int = 3) -> Any:
        return {
            "item": item,
            "raw": raw,
            "nan": math.nan,
            "tags": tags,
            "window": Window(datetime(2025, 1, 2, tzinfo=UTC), [item]),
            "path": PurePath("a/b"),
            "opaque": object(),
        }

    def spread(self, *ids: str, **options: Any) -> tuple[str, ...]:
        return ids

    async def refuse(self, reason: str) -> None:
        raise Refused(reason, retry=7)

    async def store(self, file: UploadFile) -> UploadFile:
        return file

    async def items(self) -> Any:
        async def stream() -> Any:
            for name in ("a", "b"):
                yield Item(name=name)

        return stream()


SCOPE: Scope = {
    "type": "http",
    "method": "POST",
    "path": "/awkward",
    "query_string": b"q=%C3%A9",
    "headers": [(b"Authorization", b"Bearer s3cret"), (b"X-Team", b"a"), (b"x-team", b"b")],
}


def _app(awkward: Awkward, *, stream: bool = False) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        item = Item(name="é", size=2)
        await awkward.take(item, b"\xff\x00", 0.5, frozenset({b"b", b"a"}))
        awkward.spread("x", "y", deep=True)
        awkward.spread()
        try:
            await awkward.refuse("busy")
        except Refused:
            pass
        upload = UploadFile(
            io.BytesIO(b"\x00content"), size=8, filename="f.bin", headers=Headers({"content-type": "x/y"})
        )
        await awkward.store(upload)
        if stream:
            events = [f"data: {item.model_dump_json()}\n\n" async for item in await awkward.items()]
            await StreamingResponse(iter(events), media_type="text/event-stream")(scope, receive, send)
        else:
            await JSONResponse({"ok": "é"})(scope, receive, send)

    return app


async def _tapped(app: Any, body: bytes) -> Tap:
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        if messages:
            return messages.pop()
        # The client stays until the response is complete (a stream listens for it leaving).
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        pass

    tap = Tap(SCOPE)
    await tap.serve(app, receive, send)
    return tap


@pytest.mark.parametrize("stream", [False, True])
async def test_a_line_made_in_the_writer_process_holds_the_calls_as_they_were_made_data(stream: bool) -> None:
    tap = await _tapped(_app(observe(Awkward()), stream=stream), b"\xfe binary")
    line = exchange_line(decoded(encoded(tap, "awkward", "POST /awkward", 1.5)), {"authorization", "x-team"})
    calls = [
        {"method": call.method, "args": dict(call.args), "outcome": call.outcome.as_data()} for call in tap.calls()
    ]
    assert to_json(line["calls"]) == to_json(calls)
    assert [call["method"] for call in line["calls"]] == ["take", "spread", "spread", "refuse", "store"] + (
        ["items"] if stream else []
    )
    assert line["calls"][0]["args"]["limit"] == 3
    assert line["calls"][1]["args"] == {"ids": ["x", "y"], "options": {"deep": True}}
    assert line["calls"][4]["outcome"]["returned"]["content_b64"] == "AGNvbnRlbnQ="
    assert line["at"] == "1970-01-01T00:00:01.500000+00:00"
    assert line["request"] == {
        "method": "POST",
        "path": "/awkward",
        "query": "q=%C3%A9",
        "headers": [["authorization", REDACTED], ["x-team", REDACTED], ["x-team", REDACTED]],
        "body_b64": "/iBiaW5hcnk=",
    }
    response = line["response"]
    if stream:
        assert response["events"] == [{"name": "a", "size": 0}, {"name": "b", "size": 0}]
    else:
        assert (response["status"], response["body"]) == (200, '{"ok":"é"}')
