"""Values as plain JSON data, so calls compare by content and can be written down.

Both sides build their own argument objects (a request model, an upload), so calls are
compared by what those objects hold, never by identity. Models, bytes and uploads, the
leaves that cost the most to turn into data, go through `costly`: by default they are made
data at once; a recording hands them to its writer process in a cheaper form instead.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import math
from collections.abc import Callable, Mapping
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


Costly = BaseModel | bytes | bytearray | memoryview | UploadFile | UploadSnapshot
COSTLY = (BaseModel, bytes, bytearray, memoryview, UploadFile, UploadSnapshot)


def dumped(value: Costly) -> Any:
    """A model dumped, an upload with its content and bytes in base64, as data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, UploadFile | UploadSnapshot):
        return upload_data(value)
    return bytes_data(value)


_AS_IS = frozenset({str, int, bool, type(None)})
_costly_types: set[type] = {bytes}
"""Classes seen to be costly (model classes, mostly): known again by identity."""


def bytes_data(value: bytes | bytearray | memoryview) -> dict[str, str]:
    return {"bytes_b64": base64.b64encode(bytes(value)).decode("ascii")}


def plain(value: Any, costly: Callable[[Costly], Any] = dumped) -> Any:
    """`value` as JSON data: models dumped, uploads and bytes in base64 (or as `costly` makes them), unknown
    objects by type."""
    # The common exact types first, by identity: the isinstance checks below (abstract classes among them)
    # cost more than most arguments' whole conversion.
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {str(key): plain(item, costly) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [plain(item, costly) for item in value]
    if kind in _costly_types:
        return costly(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # NaN is not equal to itself: two equal calls would differ.
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, COSTLY):
        _costly_types.add(kind)
        return costly(value)
    if isinstance(value, enum.Enum):
        return plain(value.value, costly)
    if isinstance(value, Mapping):
        return {str(key): plain(item, costly) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item, costly) for item in value]
    if isinstance(value, set | frozenset):
        # Sorted by the items' data, whatever `costly` makes of them, so the order is the same either way.
        return sorted((plain(item) for item in value), key=repr)
    if isinstance(value, Response):
        return {"status_code": value.status_code, "media_type": value.media_type, "body": plain(value.body, costly)}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name), costly) for field in dataclasses.fields(value)}
    # A repr would hold addresses that differ between two equal objects.
    return {"type": type_name(value)}


def plain_exception(error: BaseException, costly: Callable[[Costly], Any] = dumped) -> dict[str, Any]:
    """An exception as data: its importable class, its arguments and any HTTP status it carries."""
    data: dict[str, Any] = {"type": type_name(error), "args": plain(error.args, costly)}
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        data["status_code"] = status
    # An exception whose constructor takes other than its `args` is rebuilt from these.
    attributes = {
        name: plain(value, costly)
        for name, value in getattr(error, "__dict__", {}).items()
        if not name.startswith("_") and name != "status_code"
    }
    if attributes:
        data["attributes"] = attributes
    return data
