"""structlog set-up: JSON lines on stdout by default, a console renderer for a person."""

from __future__ import annotations

import io
import logging
import sys

import structlog

from gateway.colour import wants_colour
from gateway.log_context import merge_request_context
from gateway.log_output import LogOutput
from gateway.request_line import JsonLines, StructlogLines, use_request_lines
from gateway.settings import LogFormat


def _drop_color_message(
    logger: structlog.typing.WrappedLogger, method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    # uvicorn adds an ANSI-coloured copy of its message for its own formatter.
    event.pop("color_message", None)
    return event


def configure_logging(log_format: LogFormat = "json") -> None:
    """Route structlog and the standard library (uvicorn included) through one renderer."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=wants_colour(sys.stdout))
    )
    output = _log_output(log_format)
    # With the request lines batched per loop turn, every other line goes through the same output, after them.
    stream = output.text if output is not None else sys.stdout
    shared: list[structlog.typing.Processor] = [
        merge_request_context,
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        logger_factory=structlog.WriteLoggerFactory(stream),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(), _drop_color_message],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # The gateway's own `request` line replaces uvicorn's access log.
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    use_request_lines(JsonLines(output) if output is not None else StructlogLines())


def _log_output(log_format: LogFormat) -> LogOutput | None:
    """stdout's descriptor for JSON lines; None for the console format or a stand-in stdout (a test's capture)."""
    if log_format != "json":
        return None
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, io.UnsupportedOperation):
        return None
    # What sys.stdout holds would otherwise come out after lines written since.
    sys.stdout.flush()
    return LogOutput(fd)
