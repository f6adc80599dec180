"""Capturing log entries in-process as production writes them: with the request's bound context."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog

from gateway.log_context import merge_request_context


@contextmanager
def captured_logs() -> Iterator[list[MutableMapping[str, Any]]]:
    """`structlog.testing.capture_logs`, plus the context a request binds (request_id, api, route, backend...).

    Without `merge_contextvars` the captured entries lack every bound key, so a test could
    never see a request line that names the wrong API or backend.
    """
    with structlog.testing.capture_logs(
        processors=[merge_request_context, structlog.contextvars.merge_contextvars]
    ) as logs:
        yield logs
