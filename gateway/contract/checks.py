"""One function per check of the catalogue: a pair of operations in, what differs out.

Each function yields `Hit`s; the catalogue (`catalogue.py`) gives each its id, level and
sentence, so a function says only what it saw and where.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gateway.contract.documents import STREAM_MEDIA_TYPE, Input, Operation
from gateway.contract.findings import Hit
from gateway.contract.pairing import Pair, path_parameters
from gateway.contract.schemas import Accepts, Field, accepts, covers, fields

Check = Iterator[Hit]


def _both(pair: Pair) -> tuple[Operation, Operation] | None:
    return (pair.legacy, pair.migrated) if pair.legacy is not None and pair.migrated is not None else None


def _listed(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


# Operations


def legacy_only(pair: Pair) -> Check:
    if pair.legacy is not None and pair.migrated is None:
        hint = f"; the router's closest operation is {pair.closest}" if pair.closest else ""
        yield Hit({"hint": hint}, legacy=pair.legacy.pointer)


def migrated_only(pair: Pair) -> Check:
    if pair.migrated is not None and pair.legacy is None:
        yield Hit(migrated=pair.migrated.pointer)


def method_changed(pair: Pair) -> Check:
    if (both := _both(pair)) and both[0].method != both[1].method:
        yield Hit({"legacy": both[0].method, "migrated": both[1].method}, both[0].pointer, both[1].pointer)


def path_parameter_renamed(pair: Pair) -> Check:
    if (both := _both(pair)) and both[0].path != both[1].path:
        yield Hit({"migrated": both[1].path}, both[0].pointer, both[1].pointer)


def deprecation_added(pair: Pair) -> Check:
    if (both := _both(pair)) and not both[0].body.get("deprecated") and both[1].body.get("deprecated"):
        yield Hit(migrated=f"{both[1].pointer}/deprecated")


def deprecation_removed(pair: Pair) -> Check:
    if (both := _both(pair)) and both[0].body.get("deprecated") and not both[1].body.get("deprecated"):
        yield Hit(legacy=f"{both[0].pointer}/deprecated")


def security_changed(pair: Pair) -> Check:
    if (both := _both(pair)) and both[0].security() != both[1].security():
        values = {"legacy": both[0].security(), "migrated": both[1].security()}
        yield Hit(values, _security_pointer(both[0]), _security_pointer(both[1]))


def _security_pointer(operation: Operation) -> str:
    # An operation that declares nothing needs what the document says all operations need.
    if "security" in operation.body:
        return f"{operation.pointer}/security"
    return "#/security" if "security" in operation.document else operation.pointer


# Requests


def _inputs(pair: Pair) -> Iterator[tuple[Input | None, Input | None, Operation, Operation]]:
    if both := _both(pair):
        legacy, migrated = both[0].inputs(), both[1].inputs()
        # A renamed path parameter is its own finding (path-parameter-renamed), not a removal and an addition.
        renamed = dict(zip(path_parameters(both[1].path), path_parameters(both[0].path), strict=False))
        migrated = {
            renamed.get(name, name) if found.location == "path" else name: found for name, found in migrated.items()
        }
        for name in dict.fromkeys([*legacy, *migrated]):
            yield legacy.get(name), migrated.get(name), both[0], both[1]


def _input_values(found: Input) -> dict[str, str]:
    return {"name": found.name, "location": found.location}


def required_added(pair: Pair) -> Check:
    for old, new, _, _ in _inputs(pair):
        if old is None and new is not None and new.required:
            yield Hit(_input_values(new), migrated=new.schema.pointer, subject=new.name)


def optional_added(pair: Pair) -> Check:
    for old, new, _, _ in _inputs(pair):
        if old is None and new is not None and not new.required:
            yield Hit(_input_values(new), migrated=new.schema.pointer, subject=new.name)


def became_required(pair: Pair) -> Check:
    for old, new, _, _ in _inputs(pair):
        if old is not None and new is not None and new.required and not old.required:
            yield Hit(_input_values(new), old.schema.pointer, new.schema.pointer, subject=new.name)


def input_removed(pair: Pair) -> Check:
    for old, new, _, _ in _inputs(pair):
        if old is not None and new is None:
            yield Hit(_input_values(old), legacy=old.schema.pointer, subject=old.name)


def location_changed(pair: Pair) -> Check:
    for old, new, _, _ in _inputs(pair):
        if old is not None and new is not None and old.location != new.location:
            values = {"name": old.name, "legacy": old.location, "migrated": new.location}
            yield Hit(values, old.schema.pointer, new.schema.pointer, subject=old.name)


def _accepted(pair: Pair) -> Iterator[tuple[Input, Input, Accepts, Accepts]]:
    for old, new, legacy, migrated in _inputs(pair):
        if old is not None and new is not None:
            # Only a JSON body can send null: elsewhere `X | None` just means the value may be left out.
            nullable = old.location == new.location == "body"
            yield (
                old,
                new,
                accepts(legacy, old.schema, nullable=nullable),
                accepts(migrated, new.schema, nullable=nullable),
            )


def type_narrowed(pair: Pair) -> Check:
    for old, new, before, after in _accepted(pair):
        if not covers(after, before):
            values = {**_input_values(new), "legacy": before.describe(), "migrated": after.describe()}
            yield Hit(values, old.schema.pointer, new.schema.pointer, subject=new.name)


def type_widened(pair: Pair) -> Check:
    for old, new, before, after in _accepted(pair):
        if covers(after, before) and not covers(before, after):
            values = {**_input_values(new), "legacy": before.describe(), "migrated": after.describe()}
            yield Hit(values, old.schema.pointer, new.schema.pointer, subject=new.name)


def request_media_type_changed(pair: Pair) -> Check:
    if both := _both(pair):
        legacy, migrated = (sorted(operation.request_content()) for operation in both)
        if legacy and migrated and legacy != migrated:
            yield Hit(
                {"legacy": _listed(legacy), "migrated": _listed(migrated)},
                f"{both[0].pointer}/requestBody/content",
                f"{both[1].pointer}/requestBody/content",
            )


# Responses


def success_status_changed(pair: Pair) -> Check:
    if both := _both(pair):
        legacy, migrated = (sorted(operation.success_responses()) for operation in both)
        if legacy != migrated:
            yield Hit(
                {"legacy": " or ".join(legacy) or "none", "migrated": " or ".join(migrated) or "none"},
                f"{both[0].pointer}/responses",
                f"{both[1].pointer}/responses",
            )


def _media_types(operation: Operation) -> set[str]:
    return {media for response in operation.success_responses().values() for media in response.get("content", {})}


def streaming_removed(pair: Pair) -> Check:
    if (both := _both(pair)) and STREAM_MEDIA_TYPE in _media_types(both[0]) - _media_types(both[1]):
        yield Hit(legacy=f"{both[0].pointer}/responses", migrated=f"{both[1].pointer}/responses")


def streaming_added(pair: Pair) -> Check:
    if (both := _both(pair)) and STREAM_MEDIA_TYPE in _media_types(both[1]) - _media_types(both[0]):
        yield Hit(legacy=f"{both[0].pointer}/responses", migrated=f"{both[1].pointer}/responses")


def response_media_type_changed(pair: Pair) -> Check:
    if both := _both(pair):
        legacy, migrated = (_media_types(operation) - {STREAM_MEDIA_TYPE} for operation in both)
        if legacy and migrated and legacy != migrated:
            yield Hit(
                {"legacy": _listed(sorted(legacy)), "migrated": _listed(sorted(migrated))},
                f"{both[0].pointer}/responses",
                f"{both[1].pointer}/responses",
            )


def _json_fields(operation: Operation) -> dict[str, Field] | None:
    """The fields of the first documented JSON success body; None where the document leaves it open."""
    for status, response in sorted(operation.success_responses().items()):
        content: Mapping[str, Any] = response.get("content", {}).get("application/json", {})
        if content.get("schema"):
            at = f"{operation.response_pointer(status)}/content/application~1json/schema"
            found = fields(operation, operation.resolve(content["schema"], at))
            return found or None
    return None


def _response_fields(pair: Pair) -> Iterator[tuple[Field | None, Field | None]]:
    if both := _both(pair):
        legacy, migrated = _json_fields(both[0]), _json_fields(both[1])
        if legacy is not None and migrated is not None:
            for path in dict.fromkeys([*legacy, *migrated]):
                yield legacy.get(path), migrated.get(path)


def response_field_removed(pair: Pair) -> Check:
    for old, new in _response_fields(pair):
        if old is not None and new is None:
            yield Hit({"name": old.path}, legacy=old.pointer, subject=old.path)


def response_field_optional(pair: Pair) -> Check:
    for old, new in _response_fields(pair):
        if old is not None and new is not None and old.required and not new.required:
            yield Hit({"name": old.path}, old.pointer, new.pointer, subject=old.path)


def response_field_added(pair: Pair) -> Check:
    for old, new in _response_fields(pair):
        if old is None and new is not None:
            yield Hit({"name": new.path}, migrated=new.pointer, subject=new.path)
