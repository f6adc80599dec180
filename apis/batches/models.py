"""Request and response models of the batches API (OpenAI's Batch object)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from http_conventions import EmbeddedFields


class BatchStatus(StrEnum):
    """Where a batch is in its lifecycle: validating -> in_progress -> finalizing -> completed (or failed,
    or cancelling -> cancelled)."""

    VALIDATING = "validating"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    FINALIZING = "finalizing"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"


def _quoted(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else json.dumps(value)


def _supported_values(choices: Any) -> WrapValidator:
    """Reject a value outside the Literal `choices` naming it and the supported values, in OpenAI's words.

    The error keeps pydantic's type `literal_error`, so the validation body stays SPEC 4's.
    """
    supported = ", ".join(_quoted(choice) for choice in get_args(choices))

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError(
                "literal_error",
                "Invalid value: {value}. Supported values are: {supported}.",
                {"value": _quoted(value), "supported": supported},
            ) from None

    return WrapValidator(check)


_Endpoints = Literal["/v1/chat/completions"]
_Windows = Literal["24h"]
BatchEndpoint = Annotated[_Endpoints, _supported_values(_Endpoints)]
CompletionWindow = Annotated[_Windows, _supported_values(_Windows)]


class BatchError(BaseModel):
    """Why a batch failed validation, or a line of its input was rejected."""

    code: str = Field(description="Machine-readable error code, e.g. `invalid_json_line` or `model_not_found`.")
    message: str = Field(description="What was wrong, for a person.")
    line: int | None = Field(default=None, description="The 1-based input line the error is about, if any.")
    param: str | None = Field(default=None, description="The field the error is about, if any.")


class BatchErrors(BaseModel):
    object: Literal["list"] = Field(default="list", description="Always `list`.")
    data: list[BatchError] = Field(description="The errors.")


class BatchRequestCounts(BaseModel):
    total: int = Field(default=0, description="Requests in the input file.")
    completed: int = Field(default=0, description="Requests answered successfully.")
    failed: int = Field(default=0, description="Requests that got an error answer.")


class Batch(BaseModel):
    """A batch of requests run in the background."""

    id: str = Field(description="The batch identifier, `batch_` followed by hex digits.")
    object: Literal["batch"] = Field(default="batch", description="Always `batch`.")
    endpoint: str = Field(description="The endpoint every request of the batch goes to.")
    errors: BatchErrors | None = Field(default=None, description="Why validation failed, when it did.")
    input_file_id: str = Field(description="The JSONL file of requests.")
    completion_window: str = Field(description="The time frame the batch should finish within.")
    status: BatchStatus = Field(description="Where the batch is in its lifecycle.")
    output_file_id: str | None = Field(default=None, description="The JSONL file of successful answers.")
    error_file_id: str | None = Field(default=None, description="The JSONL file of error answers.")
    created_at: int = Field(description="Unix time (seconds) of creation.")
    in_progress_at: int | None = Field(default=None, description="When processing started.")
    expires_at: int | None = Field(default=None, description="When the batch expires.")
    finalizing_at: int | None = Field(default=None, description="When the output files started being written.")
    completed_at: int | None = Field(default=None, description="When the batch completed.")
    failed_at: int | None = Field(default=None, description="When the batch failed.")
    expired_at: int | None = Field(default=None, description="When the batch expired.")
    cancelling_at: int | None = Field(default=None, description="When cancellation was asked for.")
    cancelled_at: int | None = Field(default=None, description="When the batch was cancelled.")
    request_counts: BatchRequestCounts = Field(
        default_factory=BatchRequestCounts, description="How many requests were answered so far."
    )
    metadata: dict[str, str] | None = Field(default=None, description="Free-form key-value pairs set at creation.")


class ListBatchesResponse(BaseModel):
    """A page of batches, newest first."""

    object: Literal["list"] = Field(default="list", description="Always `list`.")
    data: list[Batch] = Field(description="The batches on this page.")
    first_id: str | None = Field(description="Id of the first batch on this page.")
    last_id: str | None = Field(description="Id of the last batch; pass it as `after` for the next page.")
    has_more: bool = Field(description="Whether batches follow this page.")


class CreateBatchRequest(EmbeddedFields):
    """The body of `POST /v1/batches`."""

    input_file_id: str = Field(description="A file of purpose `batch` with one JSON request per line.")
    endpoint: BatchEndpoint = Field(description="The endpoint the requests go to; only `/v1/chat/completions`.")
    completion_window: CompletionWindow = Field(description="The time frame to finish within; only `24h`.")
    metadata: dict[str, str] | None = Field(default=None, description="Free-form key-value pairs kept with the batch.")
