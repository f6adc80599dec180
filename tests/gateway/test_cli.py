from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.__about__ import __version__
from gateway.cli import app
from gateway.settings import ServerSettings

runner = CliRunner()
UNMIGRATED = "tests.gateway.unmigrated_apis"


def test_cli_help_lists_serve() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output


def test_serve_help_explains_every_option() -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--apis",
        "--data-dir",
        "--max-body-size",
        "--max-header-size",
        "--header-timeout",
        "--graceful-timeout",
        "--log-format",
        "--flags",
        "--workers",
    ):
        assert option in result.output


def test_version_prints_the_program_and_its_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"gateway {__version__}\n"


def test_serve_unknown_apis_module_exits_2_with_message() -> None:
    # Port 0: the listener is bound first, and 8321 may be taken on the machine running the tests.
    result = runner.invoke(app, ["serve", "--port", "0", "--apis", "no_such_module"])
    assert result.exit_code == 2
    assert "could not import module 'no_such_module'" in result.output


def test_serve_bad_port_exits_2_naming_the_field() -> None:
    result = runner.invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert result.output == "error: --port 70000: input should be less than or equal to 65535\n"


def test_serve_bad_environment_variable_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_MAX_BODY_SIZE", "lots")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert result.output == (
        "error: GATEWAY_MAX_BODY_SIZE='lots' (--max-body-size): "
        "input should be a valid integer, unable to parse string as an integer\n"
    )


def test_serve_taken_admin_port_exits_2_naming_it() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", "0", "--admin-port", str(taken)])
    assert result.exit_code == 2
    assert result.output == (
        f"error: --admin-port {taken}: already in use on 127.0.0.1; stop what listens there or choose another port\n"
    )


def test_openapi_writes_the_migrated_document_without_unmigrated_apis(tmp_path: Path) -> None:
    output = tmp_path / "openapi.json"
    result = runner.invoke(app, ["openapi", "--backend", "migrated", "-o", str(output), "--apis", UNMIGRATED])
    assert result.exit_code == 0, result.output
    paths = json.loads(output.read_text())["paths"]
    assert "/v1/models/{model_id}" in paths
    assert "/v1/providers" not in paths


def test_openapi_legacy_document_goes_to_stdout() -> None:
    result = runner.invoke(app, ["openapi", "--backend", "legacy"])
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["paths"]["/v1/providers"]["get"]["summary"] == "List the providers that serve each API."


def test_openapi_unknown_backend_exits_2() -> None:
    result = runner.invoke(app, ["openapi", "--backend", "sideways"])
    assert result.exit_code == 2


def test_serve_help_explains_the_security_options() -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert "--auth" in result.output and "--admin-token" in result.output


def test_serve_auth_file_with_a_typo_exits_2_naming_file_key_and_closest_name(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text("tokens:\n  s3cret:\n    user: ada\n    scope: [models:write]\n")
    result = runner.invoke(app, ["serve", "--auth", str(tokens)])
    assert result.exit_code == 2
    assert f"{tokens}: tokens[1] (user 'ada').scope: unknown key 'scope' (did you mean 'scopes'?)" in result.output
    assert "s3cret" not in result.output


def test_serve_auth_naming_nothing_usable_exits_2() -> None:
    result = runner.invoke(app, ["serve", "--auth", "tokens.yml"])
    assert result.exit_code == 2
    assert "--auth tokens.yml: no such file" in result.output


def test_serve_auth_with_sides_that_disagree_exits_2_naming_the_route(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text("tokens:\n  s3cret: {user: ada}\n")
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: legacy\n")
    args = ["serve", "--auth", str(tokens), "--apis", "tests.gateway.auth_apis:mismatched", "--flags", str(flags)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "GET /v1/open (whoami): legacy: public / migrated: authenticated" in result.output


def test_serve_admin_token_no_client_could_send_exits_2_without_echoing_it() -> None:
    result = runner.invoke(app, ["serve", "--admin-token", "my secret"])
    assert result.exit_code == 2
    assert "error: --admin-token <hidden>: value error, a client could never send this token" in result.output
    assert "my secret" not in result.output


def test_serve_admin_token_from_the_environment_is_named_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_ADMIN_TOKEN", "my secret")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "error: GATEWAY_ADMIN_TOKEN=<hidden> (--admin-token): value error" in result.output
    assert "my secret" not in result.output


def test_routes_shows_each_sides_requirement() -> None:
    result = runner.invoke(app, ["routes", "--apis", UNMIGRATED])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "template" in line)
    assert "legacy auth" in header and "migrated auth" in header
    rows = {}
    for line in result.output.splitlines():
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            rows[(cells[0], cells[1])] = (cells[-2], cells[-1])
    assert rows[("DELETE", "/v1/models/{model_id:path}")] == ("scope models:write", "scope models:write")
    assert rows[("GET", "/v1/health")] == ("public", "public")
    assert rows[("GET", "/v1/providers")] == ("authenticated", "-")


@pytest.mark.parametrize(
    ("option", "shown"),
    [
        pytest.param("--port", str(ServerSettings().port), id="port"),
        pytest.param("--data-dir", str(ServerSettings().data_dir), id="data-dir"),
        pytest.param("--max-body-size", f"{ServerSettings().max_body_size // 2**20} MiB", id="size-in-MiB"),
        pytest.param("--graceful-timeout", str(ServerSettings().graceful_timeout), id="graceful-timeout"),
    ],
)
def test_serve_help_shows_the_settings_defaults(option: str, shown: str) -> None:
    result = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "300"})
    line = next(line for line in result.output.splitlines() if f"{option} " in line)
    assert f"[default: ({shown})]" in line


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["routes"], id="routes"),
        pytest.param(["flags", "show"], id="flags-show"),
        pytest.param(["flags", "check"], id="flags-check-all-legacy"),
        pytest.param(["flags", "set", "whoami", "legacy"], id="flags-set"),
    ],
)
def test_commands_that_read_routes_start_no_implementation(tmp_path: Path, command: list[str]) -> None:
    flags = tmp_path / "flags.yaml"
    # With an API on its router, `flags check` builds documents to diff the contract: that needs the APIs.
    flags.write_text("default: legacy\n")
    result = runner.invoke(app, [*command, "--apis", "tests.gateway.unstartable_apis", "--flags", str(flags)])
    assert result.exit_code == 0, result.output
