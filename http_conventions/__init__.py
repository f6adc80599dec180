"""HTTP conventions shared by the legacy adapter and the migrated routers.

They live outside `legacy_adapter` so that deleting the adapter at the end of a
migration removes nothing a router needs.
"""

from http_conventions.errors import (
    INTERNAL_ERROR_MESSAGE,
    AuthenticationRequiredError,
    ConflictError,
    ResourceNotFoundError,
    install_error_handlers,
    translate_exception,
)
from http_conventions.request_context import (
    PROVIDER_DATA_HEADER,
    RequestContext,
    bound_request_context,
    current_request_context,
    within_context,
)
from http_conventions.sse import SSE_MEDIA_TYPE, is_streaming_call, sse_event, sse_stream

__all__ = [
    "INTERNAL_ERROR_MESSAGE",
    "PROVIDER_DATA_HEADER",
    "SSE_MEDIA_TYPE",
    "AuthenticationRequiredError",
    "ConflictError",
    "RequestContext",
    "ResourceNotFoundError",
    "bound_request_context",
    "current_request_context",
    "install_error_handlers",
    "is_streaming_call",
    "sse_event",
    "sse_stream",
    "translate_exception",
    "within_context",
]
