"""Values as plain JSON data, so calls compare by content and can be written down.

Both sides build their own argument objects (a request model, an upload), so calls are
compared by what those objects hold, never by identity.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.responses import Response

from proof.calls.uploads import UploadSnapshot, upload_data


def type_name(value: object) -> str:
    """`module:QualName` of `value`'s class, as an importable reference."""
    cls = type(value)
    return f"{cls.__module__}:{cls.__qualname__}"


def plain(value: Any) -> Any:
    """`value` as JSON data: models dumped, uploads and bytes in base64, unknown objects by type."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # NaN is not equal to itself: two equal calls would differ.
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(item) for item in value), key=repr)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes_b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, UploadFile | UploadSnapshot):
        return upload_data(value)
    if isinstance(value, Response):
        return {"status_code": value.status_code, "media_type": value.media_type, "body": plain(value.body)}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    # A repr would hold addresses that differ between two equal objects.
    return {"type": type_name(value)}


def plain_exception(error: BaseException) -> dict[str, Any]:
    """An exception as data: its importable class, its arguments and any HTTP status it carries."""
    data: dict[str, Any] = {"type": type_name(error), "args": plain(error.args)}
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        data["status_code"] = status
    # An exception whose constructor takes other than its `args` is rebuilt from these.
    attributes = {
        name: plain(value)
        for name, value in getattr(error, "__dict__", {}).items()
        if not name.startswith("_") and name != "status_code"
    }
    if attributes:
        data["attributes"] = attributes
    return data
