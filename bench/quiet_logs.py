"""structlog for in-process benchmarks: request lines dropped at the cheapest point.

The gateway writes one line per request; in-process figures are taken with that line
dropped (a writer whose `write` does nothing) and every other structlog call filtered out
by level; the JSON line's own cost is measured separately (`bench.log_cost`) with the
gateway's real configuration writing to /dev/null.
"""

from __future__ import annotations

import logging

import structlog

from gateway.log_context import RequestContext
from gateway.request_line import use_request_lines

DESCRIPTION = "request line dropped (a no-op writer), other logs filtered by structlog at WARNING"


class DroppedLines:
    """Request lines written nowhere."""

    def write(
        self, context: RequestContext, method: str | None, path: str | None, status: int, seconds: float, gone: bool
    ) -> None:
        return None


def drop_info_logs() -> None:
    """Drop request lines, and filter every structlog call below WARNING before any processor runs."""
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.ReturnLoggerFactory(),
        cache_logger_on_first_use=True,
    )
    logging.getLogger().setLevel(logging.WARNING)
    use_request_lines(DroppedLines())
