"""The OpenAPI document of an app served with these conventions.

FastAPI documents request validation failures as 422 with its own error schema; these
apps answer them 400 in the legacy envelope, so the document says that instead. Every
operation needs a bearer token unless it declares otherwise (`http_conventions.auth`),
so the document says that too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.routing import compile_path

from http_conventions.auth import BEARER_SCHEME, BEARER_SECURITY_SCHEME
from http_conventions.errors import ErrorDetail, ErrorEnvelope

VALIDATION_RESPONSE_DESCRIPTION = "The request did not validate, or a value was invalid."
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def openapi_path(template: str) -> str:
    """The OpenAPI path of a route template: ``/v1/models/{model_id:path}`` is ``/v1/models/{model_id}``.

    Starlette's own reading of the template, the one FastAPI writes documents with.
    """
    _, path_format, _ = compile_path(template)
    return path_format


def documented_responses(
    returned: Any, responses: dict[int | str, Any] | None, status_code: int = 200
) -> dict[int | str, Any] | None:
    """`responses` with `returned` documented as the `status_code` response, if it is a pydantic model.

    Documented through `responses`, not `response_model`: the legacy server sent every
    field of what an implementation returned, so the response is not filtered through it.
    """
    if not (isinstance(returned, type) and issubclass(returned, BaseModel)):
        return responses
    documented = dict(responses or {})
    documented[status_code] = {**documented.get(status_code, {}), "model": returned}
    return documented


def _schema_ref(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def conventional_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document of `app`, with validation failures documented as the app answers them."""
    document = get_openapi(title=app.title, version=app.version, routes=app.routes, description=app.description)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault(
                    "400", {"description": VALIDATION_RESPONSE_DESCRIPTION, "content": _schema_ref("ErrorEnvelope")}
                )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    for model in (ErrorEnvelope, ErrorDetail):
        schemas.setdefault(model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}"))
    document["components"].setdefault("securitySchemes", {}).setdefault(BEARER_SCHEME, {**BEARER_SECURITY_SCHEME})
    # The document-wide default: what an operation that declares nothing needs.
    document.setdefault("security", [{BEARER_SCHEME: []}])
    return document
