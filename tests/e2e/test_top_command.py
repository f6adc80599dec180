"""`gateway top` on a pseudo-terminal against a real `gateway serve`: it redraws as traffic and flags change."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.gateway_process import GatewayProcess, write_flags_atomically

FLAGS = "default: legacy\napis:\n  models: migrated\n  files: shadow\n"
WAIT_SECONDS = 10.0
# Colours and cursor moves, so patterns match the text a person reads.
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """`gateway top ...` writing to a pseudo-terminal; `screen` is everything it wrote so far."""

    def __init__(self, *arguments: str) -> None:
        self._controller, terminal = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "top", *arguments],
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            env={**os.environ, "COLUMNS": "120", "LINES": "300"},
        )
        os.close(terminal)
        self.screen = ""

    def _read(self) -> None:
        if select.select([self._controller], [], [], 0.1)[0]:
            try:
                self.screen += ESCAPES.sub("", os.read(self._controller, 65536).decode(errors="replace"))
            except OSError:
                # EIO: the process exited and closed the terminal.
                time.sleep(0.1)

    def wait_for(self, pattern: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not re.search(pattern, self.screen) and time.monotonic() < deadline:
            self._read()
        assert re.search(pattern, self.screen), f"{pattern!r} never shown:\n{self.screen[-3000:]}"

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + WAIT_SECONDS
        # Read on while it stops: a full terminal would block its last redraw.
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read()
        code = self.process.wait(timeout=1)
        os.close(self._controller)
        return code


def test_top_redraws_traffic_and_a_flip_until_ctrl_c(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text(FLAGS)
    with GatewayProcess(flags, tmp_path) as gateway:
        top = Terminal("--url", gateway.base_url, "--interval", "0.2")
        try:
            top.wait_for(r"models\s+mode migrated")
            top.wait_for(r"files\s+mode shadow")
            top.wait_for(r"Workers\s+1")
            for _ in range(3):
                httpx.get(f"{gateway.base_url}/v1/models").raise_for_status()
            top.wait_for(r"legacy 0% \(0\), migrated 100% \(3\)")
            write_flags_atomically(flags, FLAGS.replace("models: migrated", "models: legacy"))
            top.wait_for(r"models\s+mode legacy")
        finally:
            code = top.interrupt()
    assert code == 0
    assert len(re.findall(r"updated \d\d:\d\d:\d\d", top.screen)) >= 3
    assert "Traceback" not in top.screen


def test_top_says_when_the_server_cannot_be_read_and_keeps_trying(tmp_path: Path) -> None:
    top = Terminal("--url", "http://127.0.0.1:9", "--interval", "0.2")
    top.wait_for(r"cannot read http://127\.0\.0\.1:9/_gateway/status")
    assert top.interrupt() == 0
