from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.flags import parse_flags
from gateway.flags_file import load_flags_yaml
from tests.gateway import renamed_parameter_api

runner = CliRunner()
SHIPPED = Path(__file__).parents[2] / "config" / "migration.yaml"
CANCEL = "POST /v1/batches/{batch_id}/cancel"
UNMIGRATED = "tests.gateway.unmigrated_apis"


def _flags(*args: str, path: Path | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["flags", *args, "--apis", UNMIGRATED, *(["--flags", str(path)] if path else [])])
    return result.exit_code, result.output


def _data(text: str) -> Any:
    return load_flags_yaml(text, Path("flags.yaml"))


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    path = tmp_path / "migration.yaml"
    path.write_text(SHIPPED.read_text())
    return path


def test_flags_set_keeps_the_shipped_files_comments_and_order_and_takes_effect(shipped: Path) -> None:
    before = shipped.read_text()
    status, output = _flags("set", "models", "legacy", path=shipped)
    assert status == 0, output
    assert output == f"{shipped}: models: migrated → legacy\n"
    after = shipped.read_text()
    assert _comments(after) == _comments(before)
    assert list(_data(after)["apis"]) == list(_data(before)["apis"])
    assert parse_flags(after, shipped).api_flags("models").mode == "legacy"


def test_flags_set_route_on_a_short_form_api_turns_it_long_in_block_style(shipped: Path) -> None:
    status, output = _flags("set", "inference", "--route", "POST /v1/chat/completions", "legacy", path=shipped)
    assert status == 0, output
    assert output == f'{shipped}: inference "POST /v1/chat/completions": not set → legacy\n'
    after = shipped.read_text()
    assert '  inference:\n    mode: migrated\n    routes:\n      "POST /v1/chat/completions": legacy\n' in after
    flags = parse_flags(after, shipped).api_flags("inference")
    assert (flags.mode, flags.routes) == ("migrated", {"POST /v1/chat/completions": "legacy"})


def test_flags_set_an_api_not_listed_appends_it(shipped: Path) -> None:
    status, output = _flags("set", "inspect", "migrated", path=shipped)
    assert status == 0, output
    assert output == f"{shipped}: inspect: not set → migrated\n"
    assert list(_data(shipped.read_text())["apis"])[-1] == "inspect"


def test_flags_set_the_mode_in_force_leaves_the_file_alone(shipped: Path) -> None:
    inode = shipped.stat().st_ino
    status, output = _flags("set", "models", "migrated", path=shipped)
    assert status == 0, output
    assert "already migrated; file unchanged" in output
    assert shipped.stat().st_ino == inode


def test_flags_unset_api_makes_it_follow_the_default(shipped: Path) -> None:
    status, output = _flags("unset", "files", path=shipped)
    assert status == 0, output
    assert output == f"{shipped}: files: legacy → not listed (follows default: legacy)\n"
    assert "files" not in parse_flags(shipped.read_text(), shipped).apis


def test_flags_unset_route_makes_it_follow_its_api(shipped: Path) -> None:
    status, output = _flags("unset", "batches", "--route", CANCEL, path=shipped)
    assert status == 0, output
    assert output == f'{shipped}: batches "{CANCEL}": legacy → not set (follows batches: migrated)\n'
    assert parse_flags(shipped.read_text(), shipped).api_flags("batches").routes == {}


def test_flags_set_replaces_the_file_atomically(shipped: Path) -> None:
    inode = shipped.stat().st_ino
    status, output = _flags("set", "files", "migrated", path=shipped)
    assert status == 0, output
    assert shipped.stat().st_ino != inode
    assert os.listdir(shipped.parent) == [shipped.name]


def test_flags_set_on_a_symlinked_file_updates_its_target(tmp_path: Path) -> None:
    # As a Kubernetes ConfigMap mounts it: the name is a link into a data directory.
    data = tmp_path / "..data"
    data.mkdir()
    (data / "migration.yaml").write_text(SHIPPED.read_text())
    link = tmp_path / "migration.yaml"
    link.symlink_to(data / "migration.yaml")
    status, output = _flags("set", "files", "migrated", path=link)
    assert status == 0, output
    assert link.is_symlink()
    assert parse_flags((data / "migration.yaml").read_text(), link).api_flags("files").mode == "migrated"
    assert os.listdir(data) == ["migration.yaml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["set", "modles", "migrated"], "error: unknown API 'modles' (did you mean 'models'?)", id="unknown-api"
        ),
        pytest.param(
            ["set", "models", "migratd"], "error: unknown mode 'migratd' (did you mean 'migrated'?)", id="unknown-mode"
        ),
        pytest.param(
            ["set", "models", "--route", "GET /v1/models/{model_id}", "legacy"],
            "error: unknown route 'GET /v1/models/{model_id}' of API 'models'"
            " (did you mean 'GET /v1/models/{model_id:path}'?)",
            id="unknown-route",
        ),
        pytest.param(
            ["set", "providers", "migrated"],
            "error: API 'providers' has no router yet; its only valid mode is legacy",
            id="no-router",
        ),
        pytest.param(
            ["set", "providers", "--route", "GET /v1/providers", "migrated"],
            "error: route 'GET /v1/providers' has no migrated side",
            id="route-no-router",
        ),
        pytest.param(
            ["unset", "modles"], "error: unknown API 'modles' (did you mean 'models'?)", id="unset-unknown-api"
        ),
        pytest.param(
            ["unset", "inspect"], "apis.inspect: not set; the API already follows the default", id="unset-not-set"
        ),
        pytest.param(
            ["unset", "models", "--route", "GET /v1/models"],
            "apis.models.routes.GET /v1/models: not set; the route already follows its API",
            id="unset-route-not-set",
        ),
    ],
)
def test_flags_bad_change_exits_2_and_leaves_the_file_as_it_was(shipped: Path, args: list[str], message: str) -> None:
    before = shipped.read_bytes()
    status, output = _flags(*args, path=shipped)
    assert status == 2
    assert message in output
    assert "Traceback" not in output
    assert shipped.read_bytes() == before


def test_flags_set_on_a_broken_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "migration.yaml"
    path.write_text("apis:\n  models: [\n")
    status, output = _flags("set", "models", "legacy", path=path)
    assert status == 2
    assert f"error: {path}: YAML syntax error at line 3" in output
    assert path.read_text() == "apis:\n  models: [\n"


def test_flags_set_on_a_missing_file_exits_2_without_creating_it(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    status, output = _flags("set", "models", "legacy", path=path)
    assert status == 2
    assert f"error: {path}: no such file" in output
    assert not path.exists()


def test_flags_check_valid_file_says_ok(shipped: Path) -> None:
    status, output = _flags("check", str(shipped))
    assert status == 0, output
    assert output == f"ok: {shipped} (5 APIs listed, default: legacy)\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("apis:\n  models: [\n", "YAML syntax error at line 3", id="broken-yaml"),
        pytest.param("apis:\n  modles: migrated\n", "apis.modles: unknown API 'modles' (did you", id="unknown-api"),
        pytest.param("", "the file is empty", id="empty"),
    ],
)
def test_flags_check_invalid_file_exits_2_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "migration.yaml"
    path.write_text(text)
    status, output = _flags("check", str(path))
    assert status == 2
    assert f"error: {path}: {message}" in output


def test_flags_check_missing_file_exits_2(tmp_path: Path) -> None:
    status, output = _flags("check", path=tmp_path / "missing.yaml")
    assert status == 2
    assert "no such file" in output


def test_flags_show_lists_each_api_with_its_mode_and_the_file(shipped: Path) -> None:
    status, output = _flags("show", path=shipped)
    assert status == 0, output
    assert f"{shipped} (sha256 {hashlib.sha256(shipped.read_bytes()).hexdigest()[:12]})" in output
    rows = {line.split("│")[1].strip(): line for line in output.splitlines() if line.count("│") > 2}
    for api, mode in [("models", "migrated"), ("files", "legacy"), ("batches", "migrated"), ("providers", "legacy")]:
        assert f"│ {mode} " in rows[api]
    assert f"{CANCEL} → legacy" in rows["batches"]
    assert "from default" in rows["inspect"]


def test_flags_show_gives_a_canary_its_percentage_and_stickiness(tmp_path: Path) -> None:
    path = tmp_path / "migration.yaml"
    path.write_text("apis:\n  models:\n    mode: canary\n    percent: 12.5\n    sticky: header:x-user-id\n")
    status, output = _flags("show", path=path)
    assert status == 0, output
    models = next(line for line in output.splitlines() if "models" in line)
    assert "│ canary 12.5 % (header:x-user-id) " in models


def test_flags_show_says_why_an_api_without_router_stays_legacy(tmp_path: Path) -> None:
    path = tmp_path / "migration.yaml"
    path.write_text("default: migrated\n")
    status, output = _flags("show", path=path)
    assert status == 0, output
    providers = next(line for line in output.splitlines() if "providers" in line)
    assert "│ legacy " in providers
    assert "no router yet: stays legacy" in providers


THINGS = ["--apis", "tests.gateway.renamed_parameter_api"]
PARTIAL_WARNING = (
    f'warning: things: route "{renamed_parameter_api.RENAMED}" has no migrated twin and stays on legacy; '
    f'closest migrated route: "{renamed_parameter_api.TWIN}"\n'
)


def test_flags_check_warns_of_a_partial_migration_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "migration.yaml"
    path.write_text("default: legacy\napis:\n  things: migrated\n")
    result = runner.invoke(app, ["flags", "check", str(path), *THINGS])
    assert result.exit_code == 0, result.output
    # Its health route is public on legacy only, and the renamed route: what `gateway diff things` lists.
    assert result.stderr == PARTIAL_WARNING + (
        "warning: things: served from its router with 2 contract errors a legacy client would see; "
        "run `gateway diff things`\n"
    )
    assert result.stdout == f"ok: {path} (1 API listed, default: legacy)\n"


def test_flags_check_of_an_api_on_legacy_does_not_warn(tmp_path: Path) -> None:
    path = tmp_path / "migration.yaml"
    path.write_text("default: legacy\n")
    result = runner.invoke(app, ["flags", "check", str(path), *THINGS])
    assert (result.exit_code, result.stderr) == (0, "")


def test_flags_show_notes_the_routes_a_partial_migration_leaves_on_legacy(tmp_path: Path) -> None:
    path = tmp_path / "migration.yaml"
    path.write_text("default: migrated\n")
    result = runner.invoke(app, ["flags", "show", "--flags", str(path), *THINGS])
    assert result.exit_code == 0, result.output
    things = next(line for line in result.stdout.splitlines() if "things" in line)
    assert "│ migrated " in things
    assert "1 route without a migrated twin: legacy" in things
    assert result.stderr == PARTIAL_WARNING


def test_flags_check_and_set_refuse_a_key_written_twice_in_the_same_words(tmp_path: Path) -> None:
    # They read the file with the server's code; the server used to take the last value, `flags set` to refuse.
    path = tmp_path / "migration.yaml"
    text = "default: legacy\napis:\n  models: legacy\n  models: migrated\n"
    path.write_text(text)
    checked, check_output = _flags("check", str(path))
    changed, set_output = _flags("set", "files", "migrated", path=path)
    assert (checked, changed) == (2, 2)
    expected = f"error: {path}: apis.models: written twice, on line 3 and line 4; keep one\n"
    assert check_output == set_output == expected
    assert path.read_text() == text


def test_flags_show_names_shadow_and_its_sample(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text(
        'apis:\n  models: {mode: shadow, sample: 0.5}\n  files:\n    routes:\n      "GET /v1/files": shadow\n'
    )
    code, output = _flags("show", path=path)
    assert code == 0, output
    assert "shadow (sample 0.5)" in output
    assert "GET /v1/files → shadow" in output
