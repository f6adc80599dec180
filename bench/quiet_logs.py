"""structlog for in-process benchmarks: request lines dropped at the cheapest point.

The gateway logs one line per request; in-process figures are taken with that line
filtered out by level (a no-op method call), and the JSON line's own cost is measured
separately (`bench.log_cost`) with the gateway's real configuration writing to /dev/null.
"""

from __future__ import annotations

import logging

import structlog

DESCRIPTION = "request log dropped (structlog filtering bound logger at WARNING, ReturnLoggerFactory)"


def drop_info_logs() -> None:
    """Filter every structlog call below WARNING before any processor runs."""
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.ReturnLoggerFactory(),
        cache_logger_on_first_use=True,
    )
    logging.getLogger().setLevel(logging.WARNING)
