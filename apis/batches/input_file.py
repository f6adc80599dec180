"""Reading a batch's JSONL input, with the errors OpenAI reports for a malformed one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from apis.batches.models import BatchError


@dataclass(frozen=True)
class BatchRequest:
    line: int
    custom_id: str
    body: dict[str, Any]


def parse_input(content: bytes, endpoint: str) -> tuple[list[BatchRequest], list[BatchError]]:
    """The requests of an input file, or the errors that fail the batch."""
    requests: list[BatchRequest] = []
    errors: list[BatchError] = []
    seen: set[str] = set()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return [], [BatchError(code="invalid_file", message="The input file is not UTF-8 text.")]
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        error = _line_error(raw, number, endpoint, seen)
        if isinstance(error, BatchError):
            errors.append(error)
        else:
            seen.add(error.custom_id)
            requests.append(error)
    if not requests and not errors:
        errors.append(BatchError(code="empty_file", message="The input file has no requests."))
    return requests, errors


def _line_error(raw: str, line: int, endpoint: str, seen: set[str]) -> BatchRequest | BatchError:
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        return BatchError(code="invalid_json_line", line=line, message=f"This line is not valid JSON: {exc.msg}.")
    if not isinstance(item, dict):
        return BatchError(code="invalid_request", line=line, message="Each line must be a JSON object.")
    custom_id = item.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return BatchError(code="missing_custom_id", line=line, param="custom_id", message="custom_id is required.")
    if custom_id in seen:
        return BatchError(
            code="duplicate_custom_id", line=line, param="custom_id", message=f"custom_id {custom_id!r} is repeated."
        )
    if item.get("method") != "POST":
        return BatchError(code="invalid_method", line=line, param="method", message="method must be POST.")
    if item.get("url") != endpoint:
        return BatchError(
            code="mismatched_endpoint", line=line, param="url", message=f"url must be the batch's endpoint {endpoint}."
        )
    body = item.get("body")
    if not isinstance(body, dict):
        return BatchError(code="invalid_request", line=line, param="body", message="body must be a JSON object.")
    return BatchRequest(line=line, custom_id=custom_id, body=body)
