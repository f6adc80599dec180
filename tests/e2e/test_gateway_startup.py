"""`gateway serve` refuses to start on a flag file or a setting it cannot use: one line on stderr, exit status 2."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.gateway_process import parse_json_lines, run_on_a_terminal, serve_expecting_failure

# Validation happens before uvicorn starts; anything near the start-up deadline means it served.
QUICK_EXIT_SECONDS = 10.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "default: legacy\napis:\n  modles: migrated\n",
            ["apis.modles: unknown API 'modles' (did you mean 'models'?)"],
            id="unknown-api",
        ),
        pytest.param(
            "default: legacy\napis:\n  models: migratd\n",
            ["apis.models: unknown mode 'migratd' (did you mean 'migrated'?)"],
            id="unknown-mode",
        ),
        pytest.param(
            "default: legacy\napis:\n  models: migrated\n   inference: legacy\n",
            ["YAML syntax error at line 4"],
            id="yaml-syntax-error",
        ),
        pytest.param(
            "default: legacy\napis:\n  providers: migrated\n",
            ["apis.providers:", "no router"],
            id="migrated-without-a-router",
        ),
        pytest.param(
            'apis:\n  models:\n    mode: migrated\n    routes:\n      "GET /v1/models/{model_id}": legacy\n',
            ["unknown route 'GET /v1/models/{model_id}'", "(did you mean 'GET /v1/models/{model_id:path}'?)"],
            id="unknown-route-key",
        ),
        pytest.param("", ["the file is empty"], id="empty-file"),
        pytest.param(None, ["no such file"], id="missing-file"),
    ],
)
def test_gateway_serve_refuses_an_invalid_flag_file(text: str | None, expected: list[str], tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    if text is not None:
        flags.write_text(text)

    started = time.monotonic()
    # The example APIs with one still waiting for its router, for the file that flips it anyway.
    result = serve_expecting_failure(flags, tmp_path, "--apis", "tests.gateway.unmigrated_apis")
    elapsed = time.monotonic() - started

    assert result.returncode == 2, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.stderr.startswith(f"error: {flags}: "), result.stderr
    for fragment in expected:
        assert fragment in result.stderr
    assert elapsed < QUICK_EXIT_SECONDS
    assert not [line for line in parse_json_lines(result.stdout) if line.get("event") == "flags_loaded"]
    assert not [line for line in parse_json_lines(result.stdout) if line.get("event") == "listening"]


@dataclass(frozen=True)
class BadStart:
    """A start-up `gateway serve` must refuse: extra options or variables, and the one line it must print."""

    options: tuple[str, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    message: str = ""


def _unwritable_data_dir(directory: Path, unwritable_dir: Path) -> BadStart:
    return BadStart(
        ("--data-dir", str(unwritable_dir)),
        message=f"--data-dir {unwritable_dir}: cannot write there (Permission denied); "
        "let the server's user write to it or give another",
    )


def _data_dir_is_a_file(directory: Path, unwritable_dir: Path) -> BadStart:
    (directory / "state").write_text("not a directory")
    return BadStart(
        environment={"GATEWAY_DATA_DIR": str(directory / "state")},
        message=f"GATEWAY_DATA_DIR='{directory / 'state'}' (--data-dir): is not a directory; "
        "give a directory (it is created if missing)",
    )


def _no_workers(directory: Path, unwritable_dir: Path) -> BadStart:
    return BadStart(("--workers", "0"), message="--workers 0: input should be greater than or equal to 1")


def _port_not_a_number(directory: Path, unwritable_dir: Path) -> BadStart:
    return BadStart(
        environment={"GATEWAY_PORT": "abc"},
        message="GATEWAY_PORT='abc' (--port): input should be a valid integer, unable to parse string as an integer",
    )


def _host_of_another_machine(directory: Path, unwritable_dir: Path) -> BadStart:
    # TEST-NET-1 (RFC 5737): never an address of the machine running the tests.
    return BadStart(
        ("--host", "192.0.2.1"),
        message="--host 192.0.2.1: not an address of this machine; "
        "use one of its addresses: 127.0.0.1, or 0.0.0.0 for every interface",
    )


@pytest.mark.parametrize(
    "bad_start",
    [
        pytest.param(_unwritable_data_dir, id="unwritable-data-dir"),
        pytest.param(_data_dir_is_a_file, id="data-dir-is-a-file-from-the-environment"),
        pytest.param(_no_workers, id="workers-0"),
        pytest.param(_port_not_a_number, id="GATEWAY_PORT-abc"),
        pytest.param(_host_of_another_machine, id="host-not-on-this-machine"),
    ],
)
def test_gateway_serve_refuses_a_setting_with_one_line_naming_it(
    bad_start: Callable[[Path, Path], BadStart], tmp_path: Path, unwritable_dir: Path
) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: legacy\n")
    case = bad_start(tmp_path, unwritable_dir)

    result = serve_expecting_failure(flags, tmp_path, *case.options, environment=case.environment)

    assert (result.returncode, result.stderr, result.stdout) == (2, f"error: {case.message}\n", "")


def test_gateway_serve_finds_a_taken_port_before_starting_anything(tmp_path: Path) -> None:
    # A bad flag file too: the port is what the person hears about, before any API or flag is looked at.
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: sideways\n")
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]

        result = serve_expecting_failure(flags, tmp_path, "--port", str(port))

    assert result.returncode == 2, result.stdout
    assert result.stderr == (
        f"error: --port {port}: already in use on 127.0.0.1; stop what listens there or choose another port\n"
    )
    assert result.stdout == ""
    assert not (tmp_path / "data").exists(), "the APIs started before the port was bound"


@pytest.mark.parametrize(
    ("environment", "coloured"),
    [pytest.param({}, True, id="terminal"), pytest.param({"NO_COLOR": "1"}, False, id="terminal-with-NO_COLOR")],
)
def test_gateway_serve_error_is_coloured_only_on_a_terminal_without_no_color(
    environment: dict[str, str], coloured: bool, tmp_path: Path
) -> None:
    written = run_on_a_terminal(["serve", "--workers", "0"], tmp_path, environment=environment, until=b"\n")
    assert b"error: --workers 0: input should be greater than or equal to 1" in written
    assert (b"\x1b[" in written) is coloured
