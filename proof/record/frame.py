"""A recorded exchange as the bytes a worker hands its writer process, and those bytes read back.

The event loop does the least it can for a recorded request: one msgpack encoding
(msgspec) of the exchange as it went by: the raw header pairs and body chunks, each call's
arguments as given and its outcome. The costly leaves of those go as msgpack extensions,
made data only when read back: a model as its JSON (`pydantic_core.to_json`, in Rust:
~0.8 µs where `model_dump` takes 1.5 and leaves a tree of objects for the collector),
bytes and an upload's content as bytes, not base64. The signature a call's arguments bind
to is encoded once per method. Binding, base64, headers, bodies and the line's JSON are
the writer process's work (`proof.record.line`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from pydantic_core import from_json, to_json
from starlette.datastructures import UploadFile

from proof.calls.arguments import Arguments, by_name, unbound
from proof.calls.observer import ObservedMethod
from proof.calls.outcome import Call
from proof.calls.plain import Costly, bytes_data, plain
from proof.calls.uploads import UploadSnapshot, snapshot_of, upload_data
from proof.compare.exchange import Tap


class FrameCall(msgspec.Struct, array_like=True):
    """One implementation call: its arguments as given, bound in the writer process by `parameters`."""

    method: str
    parameters: Any
    """The method's names, how many by position, and defaults (`Parameters`); None when `kwargs` is bound."""
    args: list[Any]
    kwargs: dict[str, Any]
    outcome: dict[str, Any]
    """As `Outcome.as_data()` makes it."""

    def bound(self) -> dict[str, Any]:
        """The arguments by parameter name."""
        if self.parameters is None:
            return self.kwargs
        names, positional, defaults = self.parameters
        bound = by_name((names, positional, defaults), self.args, self.kwargs)
        return unbound(self.args, self.kwargs) if bound is None else bound


class Frame(msgspec.Struct, array_like=True):
    """One exchange of a route of an API, served at `at` (a Unix time)."""

    at: float
    api: str
    route: str
    method: str
    path: str
    query: bytes
    headers: Sequence[tuple[bytes, bytes]]
    body: list[bytes]
    calls: list[FrameCall]
    status: int
    response_headers: Sequence[tuple[bytes, bytes]]
    response_body: list[bytes]


_MODEL, _BYTES, _UPLOAD = 1, 2, 3
"""Extension codes of the costly leaves."""

_encoder = msgspec.msgpack.Encoder()


def _deferred(value: Costly) -> msgspec.msgpack.Ext:
    # Models last: checking for one is the slowest of the three (pydantic's metaclass is an ABCMeta).
    if isinstance(value, bytes | bytearray | memoryview):
        return msgspec.msgpack.Ext(_BYTES, value)
    if isinstance(value, UploadFile | UploadSnapshot):
        upload = snapshot_of(value)
        return msgspec.msgpack.Ext(
            _UPLOAD, _encoder.encode((upload.filename, upload.content_type, upload.size, upload.content))
        )
    return msgspec.msgpack.Ext(_MODEL, to_json(value))


def _read_back(code: int, data: memoryview) -> Any:
    if code == _MODEL:
        return from_json(bytes(data))
    if code == _BYTES:
        return bytes_data(data)
    filename, content_type, size, content = msgspec.msgpack.decode(data)
    return upload_data(UploadSnapshot.holding(filename, content_type, size, content))


_signatures: dict[ObservedMethod, msgspec.Raw] = {}
"""Each observed method's parameters, encoded the first time one of its calls is recorded."""


def _signature(method: ObservedMethod) -> msgspec.Raw | None:
    signature = _signatures.get(method)
    if signature is None:
        if method.parameters is None:
            return None
        names, positional, defaults = method.parameters
        signature = _signatures[method] = msgspec.Raw(_encoder.encode((names, positional, plain(defaults, _deferred))))
    return signature


def _call(call: Call) -> FrameCall:
    outcome = call.outcome.as_data(_deferred)
    arguments = call.args
    if isinstance(arguments, Arguments):
        signature = _signature(arguments.method)
        if signature is not None:
            args = plain(arguments.positional, _deferred)
            return FrameCall(call.method, signature, args, plain(arguments.keywords, _deferred), outcome)
        arguments = arguments.bound()
    return FrameCall(call.method, None, [], plain(arguments, _deferred), outcome)


def encoded(tap: Tap, api: str, route: str, at: float) -> bytes:
    """The exchange `tap` served, of `route` of `api` at `at`, as bytes for the writer process."""
    scope, response = tap.scope, tap.response
    frame = Frame(
        at,
        api,
        route,
        scope["method"],
        scope["path"],
        scope.get("query_string", b""),
        scope.get("headers", []),
        tap.body,
        [_call(call) for call in tap.calls()],
        response.status,
        response.raw_headers,
        response.chunks,
    )
    return _encoder.encode(frame)


decoded = msgspec.msgpack.Decoder(Frame, ext_hook=_read_back).decode
"""`encoded`'s bytes as a `Frame`, its costly leaves made data."""
