"""The lines of a batch's output and error files, in OpenAI's `BatchRequestOutput` shape.

Every request gets one line, ``{"id", "custom_id", "response", "error"}``. A request that
got an HTTP answer, an error answer included, carries it in ``response`` (its status code,
a request id and the JSON body) with ``error`` null, as OpenAI's batch API writes them; an
error answer's body is OpenAI's error object, with a message a person can read::

    {"error": {"message": "Missing required parameter: 'messages[0].role'.", "type": "invalid_request_error",
               "param": "messages[0].role", "code": "missing_required_parameter"}}
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from http_conventions import translate_exception


def result_line(custom_id: str, status_code: int, body: Any) -> str:
    """One line of the output file (status 200) or the error file (any other status)."""
    return json.dumps(
        {
            "id": f"batch_req_{uuid.uuid4().hex}",
            "custom_id": custom_id,
            "response": {"status_code": status_code, "request_id": uuid.uuid4().hex, "body": body},
            "error": None,
        }
    )


def error_answer(exc: Exception) -> tuple[int, dict[str, Any]]:
    """The status and body a request that raised `exc` is answered with: the error table's status, OpenAI's body."""
    if isinstance(exc, ValidationError):
        return 400, {"error": _validation_error(exc.errors())}
    error = translate_exception(exc)
    kind = "server_error" if error.status_code >= 500 else "invalid_request_error"
    return error.status_code, {"error": {"message": str(error.detail), "type": kind, "param": None, "code": None}}


def _param(loc: Sequence[int | str]) -> str:
    """A pydantic location as OpenAI names a parameter: `messages[0].role`."""
    param = ""
    for part in loc:
        param += f"[{part}]" if isinstance(part, int) else f".{part}" if param else part
    return param


def _validation_error(errors: Sequence[Any]) -> dict[str, Any]:
    """Every problem in the message; the param and code of the first."""
    messages = []
    for error in errors:
        param = _param(error["loc"])
        if error["type"] == "missing":
            messages.append(f"Missing required parameter: '{param}'.")
        else:
            messages.append(f"Invalid '{param}': {error['msg'][:1].lower()}{error['msg'][1:]}.")
    first = errors[0]
    return {
        "message": " ".join(messages),
        "type": "invalid_request_error",
        "param": _param(first["loc"]),
        "code": _code(first["type"]),
    }


def _code(error_type: str) -> str:
    if error_type == "missing":
        return "missing_required_parameter"
    if error_type.endswith(("_type", "_parsing")):
        return "invalid_type"
    return "invalid_value"
