"""Server-sent events framed the way the legacy server framed them.

Every item becomes ``data: <json>\\n\\n``; there is no ``[DONE]`` marker. The call that
produces the stream is awaited inside the stream, so an error before the first item is
still HTTP 200 followed by one ``data: {"error": {"message": ...}}`` event.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from pydantic import BaseModel
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from http_conventions.errors import answer_failure
from http_conventions.loop_budget import LoopBudget
from http_conventions.request_context import current_scope, within_scope

SSE_MEDIA_TYPE = "text/event-stream"


def sse_event(data: Any) -> str:
    """Frame one item; models are dumped compactly, anything else with `json.dumps` defaults."""
    payload = data.model_dump_json() if isinstance(data, BaseModel) else json.dumps(data)
    return f"data: {payload}\n\n"


def is_streaming_call(arguments: Mapping[str, Any]) -> bool:
    """True when the call asks for a stream, at top level or inside a `params` model."""
    if "stream" in arguments:
        return bool(arguments["stream"])
    params = arguments.get("params")
    return bool(getattr(params, "stream", False))


async def sse_stream(call: Any) -> AsyncIterator[str]:
    """Await `call` (a coroutine or an async iterator) and frame what it yields.

    A client disconnect cancels or closes the stream; the implementation's iterator is
    closed then, so it can release what it holds.
    """
    items: Any = None
    budget = LoopBudget()
    try:
        items = await call if inspect.isawaitable(call) else call
        async for item in items:
            yield sse_event(item)
            # Items that are ready never suspend: a long stream would hold the loop to its end.
            await budget.spend()
    except Exception as exc:
        http_exc = answer_failure("stream_error", exc)
        yield sse_event({"error": {"message": str(http_exc)}})
    finally:
        # Cancelled inside the implementation's iterator, or closed while suspended at a yield.
        if items is not None and hasattr(items, "aclose"):
            await items.aclose()


class EventStreamResponse(StreamingResponse):
    """A `text/event-stream` response that closes its iterator however the response ends.

    Starlette leaves the iterator suspended when a client disconnects while a send is
    pending; closing it here is what reaches the implementation's iterator.
    """

    def __init__(self, stream: AsyncIterator[str]) -> None:
        super().__init__(stream, media_type=SSE_MEDIA_TYPE)
        self._stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            aclose = getattr(self._stream, "aclose", None)
            if aclose is not None:
                await aclose()


def sse_response(call: Any) -> EventStreamResponse:
    """Stream `call` (a coroutine or async iterator) as events, in the current request's scope.

    Call it inside an endpoint: the request context, and a team's own (`Conventions.context`),
    are entered again around every step of the stream.
    """
    return EventStreamResponse(within_scope(current_scope(), sse_stream(call)))
