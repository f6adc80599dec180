"""Validating a batch's JSONL input as OpenAI does: the whole file, before any request runs.

Every problem of every line is reported, each as a `BatchError` with the 1-based line
and the field (`param`) it is about; one error fails the batch. The codes, params and
wording are OpenAI's, as its batch API answers them (`missing_required_parameter`,
`invalid_url`, `model_not_found`, `streaming_unsupported`, `invalid_json_line`, ...).
What only running a request can tell (an empty `messages`, a `max_tokens` out of range)
is left to the run, whose answer goes to the error file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from apis.batches.models import BatchError
from http_conventions import LoopBudget, ResourceNotFoundError

# What a line and its body must hold, and the JSON type of each.
_LINE_FIELDS: dict[str, type] = {"custom_id": str, "method": str, "url": str, "body": dict}
_BODY_FIELDS: dict[str, type] = {"model": str, "messages": list}
_JSON_TYPES: dict[type, str] = {
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


class InputFiles(Protocol):
    async def read_content(self, file_id: str) -> bytes: ...


class Models(Protocol):
    async def resolve(self, model_id: str) -> str: ...


@dataclass(frozen=True)
class BatchRequest:
    line: int
    custom_id: str
    body: dict[str, Any]


async def validate_input(
    files: InputFiles, input_file_id: str, endpoint: str, models: Models
) -> tuple[list[BatchRequest], list[BatchError]]:
    """The requests of the input file, and the errors that fail the batch (none when it may run)."""
    try:
        content = await files.read_content(input_file_id)
    except ResourceNotFoundError:
        message = f"Cannot find file {input_file_id}."
        return [], [BatchError(code="invalid_request", param="input_file_id", message=message)]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return [], [BatchError(code="invalid_file", message="The input file is not UTF-8 text.")]
    lines = _Lines(endpoint, models)
    requests: list[BatchRequest] = []
    errors: list[BatchError] = []
    # A large input file is many lines of JSON: the loop serves other clients meanwhile.
    budget = LoopBudget()
    for number, raw in enumerate(text.splitlines(), start=1):
        await budget.spend()
        if not raw.strip():
            continue
        request, line_errors = await lines.check(raw, number)
        errors.extend(line_errors)
        if request is not None:
            requests.append(request)
    if not requests and not errors:
        errors.append(BatchError(code="empty_file", message="The input file has no requests."))
    return requests, errors


def _field_errors(item: dict[str, Any], fields: dict[str, type], prefix: str, line: int) -> list[BatchError]:
    errors = []
    for name, expected in fields.items():
        param = f"{prefix}{name}"
        if name not in item:
            message = f"Missing required parameter: '{param}'."
            errors.append(BatchError(code="missing_required_parameter", line=line, param=param, message=message))
        elif not isinstance(item[name], expected):
            message = (
                f"Invalid type for '{param}': expected {_JSON_TYPES[expected]}, "
                f"but got {_JSON_TYPES[type(item[name])]} instead."
            )
            errors.append(BatchError(code="invalid_type", line=line, param=param, message=message))
    return errors


class _Lines:
    """Checks the lines of one file in order: a custom_id is checked against the lines before it."""

    def __init__(self, endpoint: str, models: Models) -> None:
        self.endpoint = endpoint
        self.models = models
        self.custom_ids: dict[str, int] = {}
        self.known_models: dict[str, bool] = {}

    async def check(self, raw: str, line: int) -> tuple[BatchRequest | None, list[BatchError]]:
        try:
            item = json.loads(raw)
        except json.JSONDecodeError:
            message = "This line is not parseable as valid JSON."
            return None, [BatchError(code="invalid_json_line", line=line, message=message)]
        if not isinstance(item, dict):
            return None, [BatchError(code="invalid_request", line=line, message="Each line must be a JSON object.")]
        errors = _field_errors(item, _LINE_FIELDS, "", line)
        custom_id, method, url, body = (item.get(name) for name in _LINE_FIELDS)
        if isinstance(custom_id, str):
            errors.extend(self._custom_id_errors(custom_id, line))
        if isinstance(method, str) and method != "POST":
            message = f"Invalid value: '{method}'. Supported values are: 'POST'."
            errors.append(BatchError(code="invalid_value", line=line, param="method", message=message))
        if isinstance(url, str) and url != self.endpoint:
            message = (
                "The URL provided for this request does not match the batch endpoint: "
                f"'{url}' is not '{self.endpoint}'."
            )
            errors.append(BatchError(code="invalid_url", line=line, param="url", message=message))
        if isinstance(body, dict):
            errors.extend(await self._body_errors(body, line))
        if errors or not isinstance(custom_id, str) or not isinstance(body, dict):
            return None, errors
        return BatchRequest(line=line, custom_id=custom_id, body=body), []

    def _custom_id_errors(self, custom_id: str, line: int) -> list[BatchError]:
        first = self.custom_ids.setdefault(custom_id, line)
        if first == line:
            return []
        message = f"The custom_id '{custom_id}' is already used on line {first}; each request needs its own."
        return [BatchError(code="duplicate_custom_id", line=line, param="custom_id", message=message)]

    async def _body_errors(self, body: dict[str, Any], line: int) -> list[BatchError]:
        errors = _field_errors(body, _BODY_FIELDS, "body.", line)
        model = body.get("model")
        if isinstance(model, str) and not await self._known(model):
            message = f"The provided model '{model}' is not supported by the Batch API."
            errors.append(BatchError(code="model_not_found", line=line, param="body.model", message=message))
        # Absent, false and null all mean "not streamed"; anything else asks for a stream.
        if body.get("stream") not in (None, False):
            message = "Chat Completions: Streaming is not supported in the Batch API."
            errors.append(BatchError(code="streaming_unsupported", line=line, param="body.stream", message=message))
        return errors

    async def _known(self, model: str) -> bool:
        # Asked once per model a file names, however many lines name it.
        if model not in self.known_models:
            try:
                await self.models.resolve(model)
            except ResourceNotFoundError:
                self.known_models[model] = False
            else:
                self.known_models[model] = True
        return self.known_models[model]
