"""Flipping a running gateway by editing its flag file: every way of saving, broken saves, streams in flight."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.client_loop import ClientLoop
from tests.e2e.gateway_process import (
    ConfigMapFlags,
    GatewayProcess,
    LogLine,
    write_flags_atomically,
    write_flags_in_place,
)

FLIP_DEADLINE = 1.5
OTHER = {"legacy": "migrated", "migrated": "legacy"}
EMPTY_FILE_ERROR = "the file is empty; it needs at least `default: legacy`"

WriteFlags = Callable[[str], None]


def models_flags(mode: str) -> str:
    # `default: migrated` makes a half-read file visible: taken as empty, it would move every other API to legacy.
    return f"default: migrated\napis:\n  models: {mode}\n"


def flip_models(loop: ClientLoop, write: WriteFlags, first: str, flips: int) -> list[float]:
    """Flip models `flips` times starting from `first`, each time until the loop sees it; the delays seen."""
    delays = []
    mode = first
    for _ in range(flips):
        mode = OTHER[mode]
        since_index = len(loop.observations)
        written = time.monotonic()
        write(models_flags(mode))
        seen = loop.wait_for_backend(mode, since_index=since_index, timeout=FLIP_DEADLINE)
        delays.append(seen.started - written)
    return delays


def assert_flipped_cleanly(loop: ClientLoop, gateway: GatewayProcess, first: str, flips: int) -> None:
    assert not loop.failures(), f"failed requests during the flips: {loop.failures()[:5]}"
    # Sequential requests: once one saw the new side, none after it may see the old one.
    runs = [backend for backend, _ in groupby(o.backend for o in loop.observations)]
    expected = [first]
    for _ in range(flips):
        expected.append(OTHER[expected[-1]])
    assert runs == expected
    changed = [line["changes"] for line in gateway.events("flags_changed")]
    assert changed == [[{"api": "models", "route": None, "old": old, "new": new}] for old, new in pairwise(expected)]


@pytest.fixture
def flags_path(tmp_path: Path) -> Path:
    path = tmp_path / "flags.yaml"
    path.write_text(models_flags("legacy"))
    return path


def test_gateway_flip_by_rewriting_the_file_while_a_client_loop_runs(flags_path: Path, tmp_path: Path) -> None:
    flips = 20
    with GatewayProcess(flags_path, tmp_path) as gateway:
        with ClientLoop(gateway.base_url) as loop:
            delays = flip_models(loop, lambda text: write_flags_atomically(flags_path, text), "legacy", flips)
        gateway.stop()
        assert len(loop.observations) > flips * 5, "the client loop hardly ran"
        assert_flipped_cleanly(loop, gateway, "legacy", flips)
    assert max(delays) < FLIP_DEADLINE


@dataclass(frozen=True)
class Saving:
    """A way of saving the flag file, and what the watcher may see of a save half-done."""

    path: Path
    write: WriteFlags
    half_way: str  # "never" seen, "maybe" seen, or "always" held past a poll: an empty file to reject
    extra_delay: float = 0.0


@pytest.fixture(params=["in-place-save", "in-place-save-caught-half-way", "configmap-symlink-swap"])
def saving(request: pytest.FixtureRequest, tmp_path: Path) -> Saving:
    if request.param == "configmap-symlink-swap":
        configmap = ConfigMapFlags(tmp_path / "configmap", models_flags("legacy"))
        return Saving(configmap.path, configmap.swap, half_way="never")
    path = tmp_path / "flags.yaml"
    path.write_text(models_flags("legacy"))
    if request.param == "in-place-save":
        return Saving(path, lambda text: write_flags_in_place(path, text), half_way="maybe")
    # Held empty longer than a poll interval: the watcher is sure to read the half-done save.
    pause = 0.4
    return Saving(path, lambda text: write_flags_in_place(path, text, pause=pause), "always", extra_delay=pause)


def test_gateway_flip_by_other_ways_of_saving_the_file(saving: Saving, tmp_path: Path) -> None:
    flips = 4
    with GatewayProcess(saving.path, tmp_path) as gateway:
        with ClientLoop(gateway.base_url) as loop:
            delays = flip_models(loop, saving.write, "legacy", flips)
        gateway.stop()
        assert_flipped_cleanly(loop, gateway, "legacy", flips)
        rejected = gateway.events("flags_rejected")
        assert all(line["error"] == f"{saving.path}: {EMPTY_FILE_ERROR}" for line in rejected), rejected
        if saving.half_way == "never":
            assert rejected == []
        elif saving.half_way == "always":
            # Each empty spell outlasts a poll, but on a loaded machine the watcher may sleep through
            # one: at least one must be caught, and the flips above stayed clean all the same.
            assert rejected, gateway.describe()
    assert max(delays) < FLIP_DEADLINE + saving.extra_delay


def rejection_saying(problem: str) -> Callable[[LogLine], bool]:
    return lambda line: line["event"] == "flags_rejected" and problem in line["error"]


def test_gateway_broken_file_keeps_the_last_good_flags(flags_path: Path, tmp_path: Path) -> None:
    write_flags_atomically(flags_path, models_flags("migrated"))
    broken = [
        ("a YAML syntax error", "default: migrated\napis:\n  models: [migrated\n", "YAML syntax error at line 4"),
        ("an unknown mode", models_flags("migratd"), "apis.models: unknown mode 'migratd'"),
        ("an empty file", "", EMPTY_FILE_ERROR),
    ]
    with GatewayProcess(flags_path, tmp_path) as gateway:
        with ClientLoop(gateway.base_url) as loop:
            for number, (name, text, problem) in enumerate(broken, start=1):
                write_flags_atomically(flags_path, text)
                line = gateway.wait_for_log(
                    rejection_saying(problem),
                    what=f"flags_rejected for {name}",
                    timeout=FLIP_DEADLINE,
                )
                assert line["path"] == str(flags_path)
                assert line["error"].startswith(f"{flags_path}: "), line
                assert len(gateway.events("flags_rejected")) == number
            # Still served as the last good file said.
            loop.wait_for_backend("migrated", since_index=len(loop.observations), timeout=1.0)

            good = models_flags("legacy")
            since_index = len(loop.observations)
            written = time.monotonic()
            write_flags_atomically(flags_path, good)
            seen = loop.wait_for_backend("legacy", since_index=since_index, timeout=FLIP_DEADLINE)
        gateway.stop()

        assert seen.started - written < FLIP_DEADLINE
        assert not loop.failures(), loop.failures()[:5]
        assert [backend for backend, _ in groupby(o.backend for o in loop.observations)] == ["migrated", "legacy"]
        assert [line["changes"] for line in gateway.events("flags_changed")] == [
            [{"api": "models", "route": None, "old": "migrated", "new": "legacy"}]
        ]
        assert gateway.events("flags_loaded")[-1]["sha256"] == hashlib.sha256(good.encode()).hexdigest()


@dataclass
class SseReader:
    """The `data: {...}` events of a chat completion stream, read as far as asked; other lines kept apart."""

    lines: Iterator[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    other_lines: list[str] = field(default_factory=list)

    def read(self, until_events: int | None = None) -> None:
        if until_events is not None and len(self.events) >= until_events:
            return
        for line in self.lines:
            if line.startswith("data: {"):
                self.events.append(json.loads(line.removeprefix("data: ")))
            elif line:
                self.other_lines.append(line)
            if until_events is not None and len(self.events) >= until_events:
                return

    def text(self) -> str:
        return "".join(event["choices"][0]["delta"].get("content") or "" for event in self.events)


def test_gateway_stream_in_flight_finishes_on_its_original_side(tmp_path: Path) -> None:
    flags_path = tmp_path / "flags.yaml"
    flags_path.write_text("default: legacy\napis:\n  models: legacy\n  inference: legacy\n")
    # 60 words of slow-echo stream for ~1.2 s, longer than a flip takes.
    words = [f"w{index}" for index in range(60)]
    stream_body = {"model": "slow-echo", "stream": True, "messages": [{"role": "user", "content": " ".join(words)}]}
    echo_body = {"model": "echo", "messages": [{"role": "user", "content": "after"}]}

    with (
        GatewayProcess(flags_path, tmp_path) as gateway,
        httpx.Client(base_url=gateway.base_url, timeout=10.0) as client,
    ):
        with client.stream("POST", "/v1/chat/completions", json=stream_body) as stream:
            assert stream.status_code == 200
            assert stream.headers["x-gateway-backend"] == "legacy"
            stream_id = stream.headers["x-request-id"]
            reader = SseReader(stream.iter_lines())
            reader.read(until_events=3)

            write_flags_atomically(flags_path, "default: legacy\napis:\n  models: legacy\n  inference: migrated\n")
            deadline = time.monotonic() + FLIP_DEADLINE
            while (after := client.post("/v1/chat/completions", json=echo_body)).headers[
                "x-gateway-backend"
            ] != "migrated":
                assert time.monotonic() < deadline, "the flip of inference did not take effect"
                time.sleep(0.02)
            assert after.status_code == 200

            reader.read()
        gateway.stop()

        assert reader.text() == " ".join(words)
        assert reader.events[-1]["choices"][0]["finish_reason"] == "stop"
        assert not any("error" in event for event in reader.events)
        assert reader.other_lines in ([], ["data: [DONE]"]), reader.other_lines
        stream_line = next(line for line in gateway.request_lines() if line["request_id"] == stream_id)
        assert (stream_line["backend"], stream_line["status"]) == ("legacy", 200)
        # The flip was in force before the stream ended: it really was in flight.
        changed = gateway.events("flags_changed")
        assert changed[0]["changes"] == [{"api": "inference", "route": None, "old": "legacy", "new": "migrated"}]
        assert _timestamp(changed[0]) < _timestamp(stream_line)


def _timestamp(line: LogLine) -> datetime:
    return datetime.fromisoformat(line["timestamp"])
