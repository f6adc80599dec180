from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

import pytest
import yaml

from gateway import flags_file
from gateway.exceptions import FlagsError
from gateway.flags_editor import FlagDocument
from gateway.flags_file import MAX_DEPTH, MAX_FLAGS_BYTES, MAX_VALUES, load_flags_yaml, read_flags_text

PATH = Path("config/migration.yaml")
# 287 bytes that expand to 10**7 strings: 3.3 GB and a 80 MB message for a loader that expands aliases.
ALIAS_BOMB = "default: [\n  &a [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol],\n" + "".join(
    f"  &{name} [{','.join([f'*{previous}'] * 10)}]{']' if name == 'g' else ','}\n"
    for previous, name in zip("abcdef", "bcdefg", strict=True)
)


def _error(text: str) -> FlagsError:
    with pytest.raises(FlagsError) as caught:
        load_flags_yaml(text, PATH)
    return caught.value


def test_flags_file_over_the_cap_is_refused_by_its_size_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    with path.open("wb") as file:
        file.truncate(10 * 1024**3)  # sparse: reading it would take seconds and 10 GiB
    started = time.monotonic()
    with pytest.raises(FlagsError, match=r"the file is 10,737,418,240 bytes; a flag file may be at most 1,048,576"):
        read_flags_text(path)
    assert time.monotonic() - started < 1.0


def test_flags_file_at_the_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    text = "default: legacy\n" + "#" * (MAX_FLAGS_BYTES - 17) + "\n"
    path.write_text(text)
    assert read_flags_text(path) == text


def test_flags_file_that_grows_past_the_cap_while_read_is_refused_after_the_cap(tmp_path: Path) -> None:
    # A FIFO's size is 0: only the bounded read can catch what it holds.
    path = tmp_path / "flags.yaml"
    os.mkfifo(path)
    written: list[int] = []

    def write() -> None:
        # The reader stops at the cap and closes its end: the writer's next write breaks the pipe.
        with contextlib.suppress(BrokenPipeError), path.open("wb", buffering=0) as fifo:
            for _ in range(4 * 1024):
                written.append(fifo.write(b"# " + b"x" * 1021 + b"\n"))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with pytest.raises(FlagsError, match="has more than 1,048,576 bytes"):
            read_flags_text(path)
    finally:
        writer.join(timeout=10)
    assert sum(written) < 4 * 1024 * 1024


def test_flags_file_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_bytes(b"default: legacy\napis:\n  models: migr\xe9\n")
    with pytest.raises(FlagsError, match=r"line 3: not UTF-8 \(byte 0xe9\)"):
        read_flags_text(path)


def test_flags_file_alias_bomb_is_refused_before_it_expands() -> None:
    assert len(ALIAS_BOMB) < 300
    started = time.monotonic()
    error = _error(ALIAS_BOMB)
    assert time.monotonic() - started < 0.5
    assert str(error) == (
        f"{PATH}: line 2: YAML anchors and aliases (&name, *name) are not allowed in a flag file; write each value out"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("default: &mode legacy\n", 1, id="anchor-never-used"),
        pytest.param("apis:\n  models: migrated\n  files: *mode\n", 3, id="alias-of-nothing"),
        pytest.param(
            "apis:\n  models: &long {mode: migrated}\n  files:\n    <<: *long\n", 2, id="merge-key-through-anchor"
        ),
    ],
)
def test_flags_file_anchors_and_aliases_are_refused_with_their_line(text: str, line: int) -> None:
    assert str(_error(text)).startswith(f"{PATH}: line {line}: YAML anchors and aliases")


def test_flags_file_deep_nesting_is_refused_without_recursing() -> None:
    # 100,000 levels crash libyaml's recursive composer (a segfault, not an exception).
    depth = 100_000
    error = _error("default: " + "[" * depth + "]" * depth + "\n")
    assert str(error) == f"{PATH}: line 1: nested more than {MAX_DEPTH} levels deep"


def _sequence(items: int) -> str:
    # The mapping, its key `default` and the sequence are values too.
    return "default:\n" + "- a\n" * items


def test_flags_file_with_as_many_values_as_allowed_loads() -> None:
    assert len(load_flags_yaml(_sequence(MAX_VALUES - 3), PATH)["default"]) == MAX_VALUES - 3


def test_flags_file_with_too_many_values_is_refused_before_they_are_built() -> None:
    # A megabyte of one-letter items took 13 s to build and stalled the event loop 0.8 s.
    started = time.monotonic()
    error = _error(_sequence(250_000))
    assert time.monotonic() - started < 0.5
    assert str(error) == (
        f"{PATH}: line {MAX_VALUES - 1}: more than {MAX_VALUES:,} values; "
        "a flag file naming 200 APIs and 80 route overrides has about 700"
    )
    assert "more than" in str(_error(_sequence(MAX_VALUES - 2)))


@pytest.mark.parametrize(
    ("text", "key", "lines"),
    [
        pytest.param("default: legacy\napis: {}\ndefault: migrated\n", "default", (1, 3), id="top-level"),
        pytest.param("apis:\n  models: legacy\n  files: legacy\n  models: migrated\n", "apis.models", (2, 4), id="api"),
        pytest.param(
            'apis:\n  batches:\n    routes:\n      "GET /v1/batches": legacy\n      GET /v1/batches: migrated\n',
            "apis.batches.routes.GET /v1/batches",
            (4, 5),
            id="route-quoted-once",
        ),
        pytest.param("apis: {models: legacy, models: migrated}\n", "apis.models", (1, 1), id="flow-mapping"),
    ],
)
def test_flags_file_key_written_twice_names_the_key_and_both_lines(text: str, key: str, lines: tuple[int, int]) -> None:
    error = _error(text)
    assert error.key == key
    assert str(error) == f"{PATH}: {key}: written twice, on line {lines[0]} and line {lines[1]}; keep one"


def test_flags_file_key_written_twice_is_refused_by_the_editor_in_the_same_words(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    text = "default: legacy\napis:\n  models: legacy\n  models: migrated\n"
    path.write_text(text)
    with pytest.raises(FlagsError) as by_editor:
        FlagDocument(path)
    assert str(by_editor.value) == str(_error(text)).replace(str(PATH), str(path))


def test_flags_file_python_tags_are_refused() -> None:
    error = _error("default: !!python/object/apply:os.system [true]\n")
    assert "could not determine a constructor for the tag" in str(error)
    assert "line 1" in str(error)


def test_flags_file_plain_yaml_loads_as_data() -> None:
    text = 'default: legacy\napis:\n  models: migrated\n  batches:\n    routes: {"GET /v1/batches": legacy}\n'
    assert load_flags_yaml(text, PATH) == {
        "default": "legacy",
        "apis": {"models": "migrated", "batches": {"routes": {"GET /v1/batches": "legacy"}}},
    }


def test_flags_file_reads_the_same_without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    # PyYAML built without libyaml has no CSafeLoader: its pure-Python parser gives the same events.
    text = (
        "default: legacy\napis:\n  models: migrated\n  batches:\n    mode: canary\n    percent: 010\n"
        '    routes: {"GET /v1/batches": legacy}\n'
    )
    with_libyaml = load_flags_yaml(text, PATH)
    monkeypatch.setattr(flags_file, "EventSource", yaml.SafeLoader)
    assert load_flags_yaml(text, PATH) == with_libyaml
    assert with_libyaml["apis"]["batches"]["percent"] == 10
    assert str(_error("apis:\n  models: legacy\n  models: migrated\n")).endswith("on line 2 and line 3; keep one")
    assert str(_error(ALIAS_BOMB)).startswith(f"{PATH}: line 2: YAML anchors and aliases")


def test_flags_file_of_two_documents_is_refused_at_the_second() -> None:
    error = _error("default: legacy\n---\ndefault: migrated\n")
    assert str(error) == f"{PATH}: YAML syntax error at line 2, column 1: but found another document"


def test_flags_file_mapping_as_a_key_is_refused_with_its_line() -> None:
    error = _error("default: legacy\napis:\n  ? {models: legacy}\n  : migrated\n")
    assert str(error) == f"{PATH}: YAML syntax error at line 3, column 5: found a mapping or sequence as a key"
