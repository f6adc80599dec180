"""A response body as the data a client reads: JSON as values, server-sent events one by one, else bytes."""

from __future__ import annotations

import json
from typing import Any

SSE_MEDIA_TYPE = "text/event-stream"


def is_json(media_type: str | None) -> bool:
    return media_type is not None and (media_type == "application/json" or media_type.endswith("+json"))


def body_data(media_type: str | None, body: bytes) -> Any:
    """JSON as values; SSE as a list of events; empty as None; anything else (or broken JSON) as the bytes."""
    if not body:
        return None
    if is_json(media_type):
        try:
            return json.loads(body)
        except ValueError:
            return body
    if media_type == SSE_MEDIA_TYPE:
        return sse_events(body)
    return body


def sse_events(body: bytes) -> list[Any]:
    """The events of a stream as a client parses them: each a list of (field, value), `data` read as JSON.

    An event with only a `data` field is its value alone, so equal streams read simply in a diff.
    """
    text = body.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    blocks = text.split("\n\n")
    events: list[Any] = []
    for block in blocks[:-1]:
        if block:
            events.append(_event(block))
    if blocks[-1]:
        # Not ended by a blank line: a client never dispatches it.
        events.append({"unterminated": blocks[-1]})
    return events


def sse_body(events: list[Any]) -> bytes:
    """A stream that `sse_events` reads as `events`: data values as JSON, one blank line after each event."""
    blocks: list[str] = []
    for event in events:
        if isinstance(event, dict) and event.keys() == {"unterminated"}:
            blocks.append(str(event["unterminated"]))
            continue
        fields = event if _is_fields(event) else [["data", event]]
        lines = (
            f"{name}: {json.dumps(value, ensure_ascii=False) if name == 'data' else value}" for name, value in fields
        )
        blocks.append("\n".join(lines) + "\n\n")
    return "".join(blocks).encode()


def _is_fields(event: Any) -> bool:
    return isinstance(event, list) and all(isinstance(field, list) and len(field) == 2 for field in event)


def _event(block: str) -> Any:
    fields: list[tuple[str, Any]] = []
    for line in block.split("\n"):
        name, _, value = line.partition(":")
        fields.append((name, _json_or_text(value.removeprefix(" ")) if name == "data" else value.removeprefix(" ")))
    if len(fields) == 1 and fields[0][0] == "data":
        return fields[0][1]
    return [list(field) for field in fields]


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value
