"""What one request to the example APIs may ask for, so that no request costs unbounded work.

Both sides validate with the same models, so a request over a limit answers 400 in the
validation shape whichever side serves it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AfterValidator

KIB = 1024
MIB = 1024 * KIB
MAX_TOKENS = 4096
"""The most words `max_tokens` may ask `lorem` for."""
MAX_MESSAGE_BYTES = 1 * MIB
"""The largest chat message, as compact JSON (its role, content and any other field)."""
MAX_METADATA_BYTES = 64 * KIB
"""The largest model metadata, as compact JSON."""


def exceeds_json_size(value: Any, limit: int) -> bool:
    """Whether `value` (JSON data) takes more than `limit` bytes as compact JSON.

    Strings count their UTF-8 bytes and quotes (escapes are not counted). Counting stops as
    soon as the limit is passed, so the cost is bounded by `limit`, not by the size of
    `value`: a 90 MB string is found too large without being encoded.
    """
    size = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            # Braces, one colon per member and commas between members.
            size += 2 + 2 * len(item) - (1 if item else 0)
            for key, member in item.items():
                pending.append(str(key))
                pending.append(member)
        elif isinstance(item, list):
            size += 2 + max(len(item) - 1, 0)
            pending.extend(item)
        elif isinstance(item, str):
            # UTF-8 bytes, escapes not counted: a copy at memory speed, where `json.dumps` would scan.
            size += 2 + (len(item) if len(item) > limit else len(item.encode()))
        else:
            size += len(json.dumps(item, default=str))
        if size > limit:
            return True
    return False


def _metadata_within_limit(metadata: dict[str, Any]) -> dict[str, Any]:
    if exceeds_json_size(metadata, MAX_METADATA_BYTES):
        raise ValueError(f"metadata may take at most {MAX_METADATA_BYTES} bytes (64 KiB) as JSON")
    return metadata


ModelMetadata = Annotated[dict[str, Any], AfterValidator(_metadata_within_limit)]
"""Free-form model metadata, at most 64 KiB as JSON."""


def message_within_limit(message: Any) -> Any:
    """Refuse a chat message as received (JSON data, before validation) over `MAX_MESSAGE_BYTES`."""
    if isinstance(message, dict) and exceeds_json_size(message, MAX_MESSAGE_BYTES):
        raise ValueError(f"a message may take at most {MAX_MESSAGE_BYTES} bytes (1 MiB) as JSON")
    return message
