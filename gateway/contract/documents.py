"""Reading an OpenAPI document as the checks need it: operations, their inputs, schemas behind `$ref`.

Every value comes with its JSON pointer (RFC 6901) into the document it was read from,
so a finding can say exactly where each side says what it says.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gateway.exceptions import ContractInputError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
FORM_MEDIA_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
STREAM_MEDIA_TYPE = "text/event-stream"
# Deep enough for any real response model; a recursive schema stops here.
MAX_DEPTH = 8


def pointer(*parts: str | int) -> str:
    """A JSON pointer (as a URI fragment) to the value at `parts`."""
    return "#/" + "/".join(escape(str(part)) for part in parts)


def escape(part: str) -> str:
    """One reference token of a JSON pointer."""
    return part.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Located:
    """A schema and where it is: after a `$ref`, the component it names."""

    schema: Mapping[str, Any]
    pointer: str


@dataclass(frozen=True)
class Input:
    """One thing a client sends: a parameter, or a field of a JSON or form body."""

    name: str
    location: str
    """``query``, ``path``, ``header``, ``cookie``, ``body`` (JSON) or ``form``."""
    required: bool
    schema: Located


@dataclass(frozen=True)
class Operation:
    """One method and path of one document."""

    method: str
    path: str
    body: Mapping[str, Any]
    document: Mapping[str, Any]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def pointer(self) -> str:
        return pointer("paths", self.path, self.method.lower())

    def resolve(self, schema: Mapping[str, Any], at: str) -> Located:
        """`schema`, or the component its `$ref` names (also through a one-entry `allOf`)."""
        seen: set[str] = set()
        while True:
            all_of = schema.get("allOf")
            if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
                schema, at = all_of[0], f"{at}/allOf/0"
                continue
            ref = schema.get("$ref")
            if not isinstance(ref, str) or ref in seen:
                return Located(schema, at)
            seen.add(ref)
            schema, at = self._target(ref), ref

    def _target(self, ref: str) -> Mapping[str, Any]:
        target: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            if not isinstance(target, Mapping) or part.replace("~1", "/").replace("~0", "~") not in target:
                raise ContractInputError(f"{self.key}: $ref {ref!r} names nothing in the document")
            target = target[part.replace("~1", "/").replace("~0", "~")]
        if not isinstance(target, Mapping):
            raise ContractInputError(f"{self.key}: $ref {ref!r} is not a schema")
        return target

    def security(self) -> str:
        """Who may call it, in the gateway's terms: ``public``, ``authenticated`` or ``scope X``.

        Read as the gateway reads a route: an operation (and document) that declares
        nothing needs an authenticated user, and the scheme's name does not matter.
        """
        declared = self.body.get("security", self.document.get("security"))
        if declared is None:
            return "authenticated"
        if not declared:
            return "public"
        scopes = sorted({scope for requirement in declared for scopes in requirement.values() for scope in scopes})
        return f"scope {' '.join(scopes)}" if scopes else "authenticated"

    def inputs(self) -> dict[str, Input]:
        """By name, every parameter and every field of the request body."""
        found: dict[str, Input] = {}
        for index, parameter in enumerate(self.body.get("parameters", [])):
            at = f"{self.pointer}/parameters/{index}"
            schema = self.resolve(parameter.get("schema", {}), f"{at}/schema")
            found[parameter["name"]] = Input(
                parameter["name"], parameter.get("in", "query"), bool(parameter.get("required")), schema
            )
        for media, content in self.request_content().items():
            location = "form" if media in FORM_MEDIA_TYPES else "body"
            body = self.resolve(
                content.get("schema", {}),
                pointer("paths", self.path, self.method.lower(), "requestBody", "content", media, "schema"),
            )
            required = set(body.schema.get("required", []))
            for name, field in body.schema.get("properties", {}).items():
                schema = self.resolve(field, f"{body.pointer}/properties/{escape(name)}")
                found.setdefault(name, Input(name, location, name in required, schema))
        return found

    def request_content(self) -> Mapping[str, Any]:
        content: Mapping[str, Any] = self.body.get("requestBody", {}).get("content", {})
        return content

    def success_responses(self) -> dict[str, Mapping[str, Any]]:
        """By status, the 2xx responses the operation documents."""
        return {
            status: response
            for status, response in self.body.get("responses", {}).items()
            if str(status).startswith("2")
        }

    def response_pointer(self, status: str) -> str:
        return f"{self.pointer}/responses/{status}"


def operations(document: Mapping[str, Any], where: str) -> dict[tuple[str, str], Operation]:
    """Every operation of an OpenAPI document, by (METHOD, path); `where` names the document in errors."""
    if not isinstance(document, Mapping) or not isinstance(document.get("paths", {}), Mapping):
        raise ContractInputError(f"{where}: not an OpenAPI document (no 'paths' object)")
    found: dict[tuple[str, str], Operation] = {}
    for path, item in document.get("paths", {}).items():
        if not isinstance(item, Mapping):
            raise ContractInputError(f"{where}: {pointer('paths', path)} is not a path item")
        for method in HTTP_METHODS:
            body = item.get(method)
            if isinstance(body, Mapping):
                found[(method.upper(), path)] = Operation(method.upper(), path, body, document)
    return found


def alternatives(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The schemas an `anyOf`/`oneOf` allows (`Optional[X]` is X or null), else the schema itself."""
    for keyword in ("anyOf", "oneOf"):
        options = schema.get(keyword)
        if isinstance(options, list):
            for option in options:
                if isinstance(option, Mapping):
                    yield from alternatives(option)
            return
    yield schema
