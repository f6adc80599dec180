"""Proof that no request touches the file system: every file-system call counted, in-process.

The gateway follows a real flag file (so its watcher runs beside the requests), and each
``stat``-family call and each audited file operation is counted as on the request path
when `GatewayApp.__call__` is on the caller's stack, and as off it otherwise. Calls off
the path (the watcher's) show that the counting works.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import apis
from bench.asgi_calls import RequestTemplate, expect, time_calls
from bench.inprocess import MODEL_REQUEST, RAW_REQUEST
from bench.report import Row, Target
from bench.synthetic_apis import raw_registry
from gateway.app import GatewayApp
from gateway.registry import ApiRegistry
from gateway.settings import ServerSettings

SECTION = "flags"
PATCHED = ("stat", "lstat", "fstat", "open", "listdir", "scandir", "access", "readlink")
AUDITED = ("open", "os.listdir", "os.scandir", "os.rename", "os.remove", "os.truncate", "os.utime", "os.mkdir")
REQUESTS = 3000
_REQUEST_CODE = GatewayApp.__call__.__code__


class Counter:
    def __init__(self) -> None:
        self.active = False
        self.on_path: dict[str, int] = {}
        self.off_path: dict[str, int] = {}

    def count(self, name: str) -> None:
        if not self.active:
            return
        frame = sys._getframe(2)
        while frame is not None and frame.f_code is not _REQUEST_CODE:
            frame = frame.f_back  # type: ignore[assignment]
        target = self.on_path if frame is not None else self.off_path
        target[name] = target.get(name, 0) + 1


_counter = Counter()
_hooked = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in AUDITED:
        _counter.count(event)


def _counting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        _counter.count(f"os.{name}")
        return function(*args, **kwargs)

    return counted


@contextmanager
def counting() -> Iterator[Counter]:
    """Count file-system calls while the block runs (audit hooks stay installed, but idle, after it)."""
    global _hooked, _counter
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    _counter = Counter()
    originals = {name: getattr(os, name) for name in PATCHED}
    for name, function in originals.items():
        setattr(os, name, _counting(name, function))
    _counter.active = True
    try:
        yield _counter
    finally:
        _counter.active = False
        for name, function in originals.items():
            setattr(os, name, function)


async def _count_requests(registry: ApiRegistry, flags: Path, data_dir: Path, request: RequestTemplate) -> Counter:
    gateway = GatewayApp(registry, ServerSettings(data_dir=data_dir), flags=flags)
    async with gateway.running():
        await expect(gateway, request)
        with counting() as counter:
            # Long enough for the watcher to look at the file a few times between requests.
            for _ in range(6):
                await time_calls(gateway, request, REQUESTS // 6)
                await asyncio.sleep(0.3)
    return counter


async def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-fs-") as scratch:
        root = Path(scratch)
        flags = root / "flags.yaml"
        flags.write_text("default: migrated\n", encoding="utf-8")
        raw = await _count_requests(raw_registry(), flags, root / "raw", RAW_REQUEST)
        flags.write_text("default: legacy\napis:\n  models: migrated\n", encoding="utf-8")
        models = await _count_requests(apis.registry, flags, root / "models", MODEL_REQUEST)
    on_path = sum(raw.on_path.values()) + sum(models.on_path.values())
    off_path = sum(raw.off_path.values()) + sum(models.off_path.values())
    return [
        Row(
            SECTION,
            "file-system calls on the request path",
            float(on_path),
            "",
            detail=f"{2 * REQUESTS} requests (raw app, models) while the flag watcher runs: {on_path} on the path"
            + (f" {raw.on_path | models.on_path}" if on_path else "")
            + f", {off_path} off it (the watcher's stat calls)",
            target=Target("==", 0.0),
            data={
                "raw": {"on_path": raw.on_path, "off_path": raw.off_path},
                "models": {"on_path": models.on_path, "off_path": models.off_path},
            },
        )
    ]
