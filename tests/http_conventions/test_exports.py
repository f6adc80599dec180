from __future__ import annotations

import http_conventions


def test_public_names_are_pinned() -> None:
    assert http_conventions.__all__ == [
        "ERROR_TABLE",
        "INTERNAL_ERROR_MESSAGE",
        "PROVIDER_DATA_HEADER",
        "SSE_MEDIA_TYPE",
        "AuthenticationRequiredError",
        "ConflictError",
        "ConventionRoute",
        "ConventionRouter",
        "EmbeddedFields",
        "ErrorEntry",
        "EventStreamResponse",
        "LoopBudget",
        "RequestContext",
        "ResourceNotFoundError",
        "bound_request_context",
        "create_conventional_app",
        "create_router_app",
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
