"""HTTP conventions shared by the legacy adapter and the migrated routers.

They live outside `legacy_adapter` so that deleting the adapter at the end of a
migration removes nothing a router needs.
"""

from http_conventions.app import create_conventional_app
from http_conventions.auth import declared_auth, public, requires_scope
from http_conventions.conventions import (
    DEFAULT_CONVENTIONS,
    ContextHook,
    Conventions,
    ConventionsError,
    ResultHook,
    current_conventions,
)
from http_conventions.error_table import (
    ERROR_TABLE,
    INTERNAL_ERROR_MESSAGE,
    ErrorEntry,
    is_storage_full,
    translate_exception,
)
from http_conventions.errors import install_error_handlers
from http_conventions.exceptions import AuthenticationRequiredError, ConflictError, ResourceNotFoundError
from http_conventions.loop_budget import LoopBudget
from http_conventions.request_context import (
    PROVIDER_DATA_HEADER,
    RequestContext,
    bound_request_context,
    current_request_context,
    within_context,
)
from http_conventions.routing import (
    ConventionRoute,
    ConventionRouter,
    EmbeddedFields,
    create_router_app,
    implementation,
    standard_responses,
)
from http_conventions.sse import (
    SSE_MEDIA_TYPE,
    EventStreamResponse,
    is_streaming_call,
    sse_event,
    sse_response,
    sse_stream,
)

__all__ = [
    "DEFAULT_CONVENTIONS",
    "ERROR_TABLE",
    "INTERNAL_ERROR_MESSAGE",
    "PROVIDER_DATA_HEADER",
    "SSE_MEDIA_TYPE",
    "AuthenticationRequiredError",
    "ConflictError",
    "ContextHook",
    "Conventions",
    "ConventionsError",
    "ConventionRoute",
    "ConventionRouter",
    "EmbeddedFields",
    "ErrorEntry",
    "EventStreamResponse",
    "LoopBudget",
    "RequestContext",
    "ResourceNotFoundError",
    "ResultHook",
    "bound_request_context",
    "create_conventional_app",
    "create_router_app",
    "current_conventions",
    "current_request_context",
    "declared_auth",
    "implementation",
    "install_error_handlers",
    "is_storage_full",
    "is_streaming_call",
    "public",
    "requires_scope",
    "sse_event",
    "sse_response",
    "sse_stream",
    "standard_responses",
    "translate_exception",
    "within_context",
]
