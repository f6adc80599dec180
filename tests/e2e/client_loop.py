"""A client sending requests back to back to a running gateway, to show that it missed none.

with ClientLoop(gateway.base_url) as loop:
    ...                               # flip, break or swap the flag file
assert not loop.failures()
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType

import httpx


@dataclass(frozen=True)
class Observation:
    started: float
    status: int | None
    backend: str | None
    error: str | None = None
    seconds: float = 0.0
    """How long the answer took: a server whose event loop stalls answers late."""


class ClientLoop:
    """Send `GET path` back to back from a thread, recording what each answer said, until the block ends."""

    def __init__(self, base_url: str, path: str = "/v1/models") -> None:
        self.base_url = base_url
        self.path = path
        self.observations: list[Observation] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="client-loop", daemon=True)

    def __enter__(self) -> ClientLoop:
        self._thread.start()
        try:
            self.wait_for_backend(None, since_index=0, timeout=5.0)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10.0)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=5.0) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    response = client.get(self.path)
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    self.observations.append(Observation(started, None, None, error, time.monotonic() - started))
                    continue
                self.observations.append(
                    Observation(
                        started,
                        response.status_code,
                        response.headers.get("x-gateway-backend"),
                        seconds=time.monotonic() - started,
                    )
                )

    def wait_for_backend(self, backend: str | None, *, since_index: int, timeout: float) -> Observation:
        """The first answer from `since_index` on served by `backend` (any backend if None)."""
        deadline = time.monotonic() + timeout
        while True:
            for observation in self.observations[since_index:]:
                if backend is None or observation.backend == backend:
                    return observation
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"no answer from the {backend} side within {timeout} s; last: {self.observations[-3:]}"
                )
            time.sleep(0.005)

    def failures(self) -> list[Observation]:
        return [o for o in self.observations if o.error is not None or o.status != 200]

    def slowest(self, since_index: int = 0) -> float:
        """The longest any answer from `since_index` on took, in seconds."""
        return max((o.seconds for o in self.observations[since_index:]), default=0.0)
