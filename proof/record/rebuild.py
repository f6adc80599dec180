"""Recorded lines read back as exchanges, their outcomes rebuilt into the objects the implementation gave.

A returned value is validated from its JSON through the implementation method's return
annotation (pydantic; an upload it holds made an `UploadFile` again from its name, media
type and content), a streamed item through the iterator's item type, an exception
built from its importable class and arguments (its `status_code` set as recorded). What
cannot be rebuilt so is `Unverifiable`, with the reason: a verify run counts it and fails.

Files are read line by line, never whole: a corpus larger than memory streams.
"""

from __future__ import annotations

import base64
import functools
import importlib
import inspect
import json
import operator
import types
import typing
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from starlette.datastructures import UploadFile
from starlette.responses import Response

from proof.calls.outcome import Call, Outcome, Raised, Returned, Streamed
from proof.calls.uploads import is_upload_data, rebuilt_upload
from proof.compare.bodies import sse_body
from proof.compare.exchange import Exchange, ExchangeRequest, ExchangeResponse
from proof.record.line import FORMAT


class CorpusError(Exception):
    """A recording that cannot be read at all: the file and line at fault, and why."""


class Unverifiable(Exception):
    """An exchange whose outcomes cannot be rebuilt exactly: it proves nothing either way."""


@dataclass(frozen=True)
class RecordedLine:
    """One line of a recording: where it is, and its data."""

    path: Path
    number: int
    data: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.number}"


def read_lines(path: Path) -> Iterator[RecordedLine]:
    """The lines of a recording file in order; `CorpusError` names the file and line of the first bad one."""
    try:
        with path.open("rb") as lines:
            for number, raw in enumerate(lines, start=1):
                if not raw.strip():
                    continue
                yield RecordedLine(path, number, _parsed(raw, path, number))
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read it ({exc.strerror})") from exc


def _parsed(raw: bytes, path: Path, number: int) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        truncated = " (truncated?)" if not raw.endswith(b"\n") else ""
        raise CorpusError(f"{path}:{number}: not a JSON line{truncated}: {exc}") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"{path}:{number}: a line is a JSON object, not {type(data).__name__}")
    if data.get("format") != FORMAT:
        raise CorpusError(f"{path}:{number}: unknown format {data.get('format')!r}; this gateway reads format {FORMAT}")
    for key in ("api", "route", "request", "calls", "response"):
        if key not in data:
            raise CorpusError(f"{path}:{number}: no {key!r}")
    return data


def rebuilt(data: Mapping[str, Any], implementation: object) -> Exchange:
    """The exchange of a line, its calls' outcomes rebuilt against `implementation`'s methods; else `Unverifiable`."""
    request, response = data["request"], data["response"]
    calls = tuple(_call(call, implementation) for call in data["calls"])
    return Exchange(_request(request), calls, _response(response))


def _request(request: Mapping[str, Any]) -> ExchangeRequest:
    path = str(request["path"])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request["method"],
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": str(request.get("query", "")).encode("latin-1"),
        "headers": _headers(request.get("headers", [])),
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    return ExchangeRequest(scope, _body(request))


def _response(response: Mapping[str, Any]) -> ExchangeResponse:
    return ExchangeResponse(
        int(response["status"]), tuple(_headers(response.get("headers", []))), _body(response), True
    )


def _headers(pairs: Any) -> list[tuple[bytes, bytes]]:
    return [(str(name).encode("latin-1"), str(value).encode("latin-1")) for name, value in pairs]


def _body(part: Mapping[str, Any]) -> bytes:
    if "events" in part:
        if not isinstance(part["events"], list):
            raise Unverifiable(f"a response's events are a list, not {type(part['events']).__name__}")
        return sse_body(part["events"])
    if "body_b64" in part:
        return base64.b64decode(part["body_b64"])
    return str(part.get("body", "")).encode()


def _call(call: Mapping[str, Any], implementation: object) -> Call:
    name = call["method"]
    function = getattr(type(implementation), name, None)
    if function is None or not callable(function):
        raise Unverifiable(f"the implementation has no method {name!r}")
    function = inspect.unwrap(function)
    outcome = _outcome(call["outcome"], function, name)
    return Call(name, call.get("args", {}), outcome, awaited=inspect.iscoroutinefunction(function))


def _outcome(data: Mapping[str, Any], function: Any, name: str) -> Outcome:
    annotation = _return_annotation(function, name)
    if "streamed" in data:
        item_type = _item_type(annotation)
        items = tuple(_validated(item, item_type, name) for item in data["streamed"])
        return Streamed(items, _exception(data["raised"]) if "raised" in data else None)
    if "raised" in data:
        return Raised(_exception(data["raised"]))
    if "returned" in data:
        return Returned(_validated(data["returned"], _value_type(annotation), name))
    raise Unverifiable(f"{name}: an outcome is returned, raised or streamed, not {sorted(data)}")


def _return_annotation(function: Any, name: str) -> Any:
    try:
        return _resolved_return(function)
    except Exception as exc:
        raise Unverifiable(f"{name}: its return annotation does not resolve ({exc})") from exc


# A corpus calls the same few methods over and over: resolving hints and building adapters cost more than
# validating a value, so each is done once a method and once an annotation.
@functools.lru_cache(maxsize=1024)
def _resolved_return(function: Any) -> Any:
    return typing.get_type_hints(function).get("return", Any)


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    try:
        return _cached_adapter(annotation)
    except TypeError:
        # An annotation that cannot be a key (unhashable metadata), or one pydantic has no schema for.
        return TypeAdapter(annotation)


@functools.lru_cache(maxsize=1024)
def _cached_adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _is_stream(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return isinstance(origin, type) and issubclass(origin, AsyncIterator)


def _members(annotation: Any) -> tuple[Any, ...]:
    return (
        typing.get_args(annotation)
        if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
        else (annotation,)
    )


def _item_type(annotation: Any) -> Any:
    """The item type of the async iterator `annotation` is, or has among its union members."""
    streams = [member for member in _members(annotation) if _is_stream(member)]
    args = typing.get_args(streams[0]) if streams else ()
    return args[0] if args else Any


def _value_type(annotation: Any) -> Any:
    """`annotation` without its async iterator members: a method returning `X | AsyncIterator[Y]` returned an X."""
    values = [member for member in _members(annotation) if not _is_stream(member)]
    if len(values) == len(_members(annotation)):
        return annotation
    return functools.reduce(operator.or_, values) if values else Any


def _validated(value: Any, annotation: Any, name: str) -> Any:
    if annotation is Any:
        return value
    if isinstance(annotation, type) and issubclass(annotation, Response):
        return _response_value(value, name)
    if _holds_uploads(annotation):
        value = _with_uploads(value, name)
        if isinstance(annotation, type) and isinstance(value, annotation):
            # Starlette's own UploadFile has no pydantic schema: it is taken as it is.
            return value
    try:
        return _adapter(annotation).validate_python(value)
    except Exception as exc:
        # pydantic's own errors (no schema for a type) as much as a value that does not fit.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise Unverifiable(f"{name}: its returned value does not rebuild as {annotation!r}: {reason}") from exc


def _holds_uploads(annotation: Any) -> bool:
    """Whether a value of `annotation` can hold an upload: only then are upload-shaped objects made uploads."""
    try:
        return _cached_holds_uploads(annotation)
    except TypeError:
        return _searched_for_uploads(annotation)


@functools.lru_cache(maxsize=1024)
def _cached_holds_uploads(annotation: Any) -> bool:
    return _searched_for_uploads(annotation)


def _searched_for_uploads(annotation: Any, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(annotation, type):
        if issubclass(annotation, UploadFile):
            return True
        fields = annotation.model_fields.values() if issubclass(annotation, BaseModel) else ()
        return any(_searched_for_uploads(field.annotation, depth + 1) for field in fields)
    return any(_searched_for_uploads(argument, depth + 1) for argument in typing.get_args(annotation))


def _with_uploads(value: Any, name: str) -> Any:
    if is_upload_data(value):
        upload = rebuilt_upload(value)
        if upload is None:
            raise Unverifiable(f"{name}: an upload it returned was closed before its content could be recorded")
        return upload
    if isinstance(value, Mapping):
        return {key: _with_uploads(item, name) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_uploads(item, name) for item in value]
    return value


def _exception(data: Mapping[str, Any]) -> BaseException:
    reference = str(data.get("type", ""))
    module_name, _, qualname = reference.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError, ValueError) as exc:
        raise Unverifiable(f"exception class {reference!r} is not importable: {exc}") from exc
    if not (isinstance(found, type) and issubclass(found, BaseException)):
        raise Unverifiable(f"{reference!r} is not an exception class")
    args = data.get("args", [])
    try:
        error = _constructed(found, args, data.get("attributes", {}))
        if "status_code" in data and getattr(error, "status_code", None) != data["status_code"]:
            setattr(error, "status_code", data["status_code"])  # noqa: B010 (any exception class)
    except Exception as exc:
        raise Unverifiable(f"{reference} does not rebuild from its arguments {data.get('args')!r}: {exc}") from exc
    return error


def _constructed(cls: type[BaseException], args: list[Any], attributes: Mapping[str, Any]) -> BaseException:
    try:
        error = cls(*args)
    except TypeError:
        if not attributes:
            raise
        # A constructor taking other than `args` (`NotFound(kind, id)` with a message as args): the
        # instance is made as the constructor would leave it, from its args and public attributes.
        error = cls.__new__(cls, *args)
        error.args = tuple(args)
    error.__dict__.update(attributes)
    return error


def _response_value(value: Any, name: str) -> Response:
    """A `Response` an implementation returned, from what `plain` keeps of it: status, media type and body."""
    try:
        body = value["body"]
        content = base64.b64decode(body["bytes_b64"]) if isinstance(body, dict) else str(body).encode()
        return Response(content, status_code=int(value["status_code"]), media_type=value.get("media_type"))
    except (KeyError, TypeError, ValueError) as exc:
        raise Unverifiable(f"{name}: its returned response does not rebuild: {exc!r}") from exc
