"""Readiness of one worker, as `GET /_gateway/health` reports it to a readiness probe.

`starting` until every API has started and the flags are loaded, `ok` while serving, and
`draining` from the moment SIGTERM or SIGINT arrives: uvicorn then stops accepting
connections and gives those in flight `--graceful-timeout` seconds, while a probe on the
admin port (or a connection still open) learns to send nothing new here.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Literal

ReadinessState = Literal["starting", "ok", "draining"]
EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Readiness:
    """Where this worker is in its life; only `ok` takes traffic."""

    def __init__(self) -> None:
        self.state: ReadinessState = "starting"

    @property
    def ready(self) -> bool:
        return self.state == "ok"


@contextmanager
def draining_on_exit_signals(readiness: Readiness) -> Iterator[None]:
    """Mark `readiness` draining when SIGINT or SIGTERM arrives, then run the handler that was there (uvicorn's).

    Only the main thread may handle signals; elsewhere (and for a signal whose handler is
    not a Python function) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: handler for sig in EXIT_SIGNALS if callable(handler := signal.getsignal(sig))}

    def notice(sig: int, frame: FrameType | None) -> None:
        readiness.state = "draining"
        previous[signal.Signals(sig)](sig, frame)

    for sig in previous:
        signal.signal(sig, notice)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
