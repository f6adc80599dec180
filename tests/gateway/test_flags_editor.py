from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.exceptions import FlagsError
from gateway.flags import parse_flags
from gateway.flags_editor import FlagDocument, write_atomically
from gateway.flags_file import load_flags_yaml
from gateway.routes import GatewayRoute

SHIPPED = Path(__file__).parents[2] / "config" / "migration.yaml"
CANCEL = "POST /v1/batches/{batch_id}/cancel"
ROUTES = (
    GatewayRoute("models", "GET", "/v1/models", legacy=True, migrated=True),
    GatewayRoute("inference", "POST", "/v1/chat/completions", legacy=True, migrated=True),
    GatewayRoute("batches", "GET", "/v1/batches", legacy=True, migrated=True),
    GatewayRoute("batches", "POST", "/v1/batches/{batch_id}/cancel", legacy=True, migrated=True),
    GatewayRoute("files", "GET", "/v1/files", legacy=True, migrated=True),
    GatewayRoute("providers", "GET", "/v1/providers", legacy=True, migrated=False),
    GatewayRoute("inspect", "GET", "/v1/health", legacy=True, migrated=True),
)


def _data(text: str) -> Any:
    return load_flags_yaml(text, Path("flags.yaml"))


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


def _edited(path: Path, text: str, edit: Callable[[FlagDocument], object]) -> str:
    path.write_text(text)
    document = FlagDocument(path)
    edit(document)
    document.save(ROUTES)
    return path.read_text()


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    path = tmp_path / "migration.yaml"
    path.write_text(SHIPPED.read_text())
    return path


def test_editor_unchanged_document_is_the_file_byte_for_byte(shipped: Path) -> None:
    assert FlagDocument(shipped).text() == SHIPPED.read_text()


@pytest.mark.parametrize(
    ("edit", "api", "mode"),
    [
        pytest.param(lambda d: d.set_mode("models", "legacy"), "models", "legacy", id="short-form"),
        pytest.param(lambda d: d.set_mode("batches", "legacy"), "batches", "legacy", id="long-form"),
        pytest.param(lambda d: d.set_mode("files", "migrated"), "files", "migrated", id="last-entry"),
        pytest.param(lambda d: d.set_mode("inspect", "migrated"), "inspect", "migrated", id="not-listed"),
    ],
)
def test_editor_set_mode_keeps_every_comment_and_the_key_order(
    shipped: Path, edit: Callable[[FlagDocument], object], api: str, mode: str
) -> None:
    before = shipped.read_text()
    after = _edited(shipped, before, edit)
    assert _comments(after) == _comments(before)
    old_keys, new_keys = list(_data(before)["apis"]), list(_data(after)["apis"])
    assert new_keys == old_keys + [key for key in new_keys if key not in old_keys]
    assert parse_flags(after, shipped).api_flags(api).mode == mode


def test_editor_set_mode_appends_an_api_not_listed_at_the_end(shipped: Path) -> None:
    after = _edited(shipped, shipped.read_text(), lambda d: d.set_mode("inspect", "legacy"))
    assert after.endswith("  providers: legacy\n  inspect: legacy\n")


def test_editor_route_override_turns_short_form_long_keeping_its_mode(shipped: Path) -> None:
    before = shipped.read_text()
    after = _edited(shipped, before, lambda d: d.set_route_mode("inference", "POST /v1/chat/completions", "legacy"))
    assert (
        "  inference:\n    mode: migrated\n    routes:\n"
        '      "POST /v1/chat/completions": legacy\n\n'
        "  # Migrated, except one route" in after
    )
    assert _comments(after) == _comments(before)


def test_editor_route_override_of_a_listed_route_replaces_it_in_place(shipped: Path) -> None:
    after = _edited(shipped, shipped.read_text(), lambda d: d.set_route_mode("batches", CANCEL, "migrated"))
    assert parse_flags(after, shipped).api_flags("batches").routes == {CANCEL: "migrated"}
    assert f'"{CANCEL}": migrated\n\n  # Still legacy' in after


def test_editor_route_override_of_an_api_not_listed_leaves_its_mode_to_the_default(shipped: Path) -> None:
    after = _edited(shipped, shipped.read_text(), lambda d: d.set_route_mode("inspect", "GET /v1/health", "migrated"))
    flags = parse_flags(after, shipped)
    assert flags.api_flags("inspect").mode is None
    assert flags.api_flags("inspect").routes == {"GET /v1/health": "migrated"}


def test_editor_unset_keeps_the_comment_above_the_next_api(shipped: Path) -> None:
    before = shipped.read_text()
    after = _edited(shipped, before, lambda d: d.unset("inference"))
    assert "inference" not in _data(after)["apis"]
    assert "  models: migrated\n\n  # Migrated, except one route" in after
    assert _comments(after) == _comments(before)


def test_editor_unset_route_drops_the_emptied_routes_and_keeps_the_mode(shipped: Path) -> None:
    before = shipped.read_text()
    after = _edited(shipped, before, lambda d: d.unset_route("batches", CANCEL))
    assert "  batches:\n    mode: migrated\n\n  # Still legacy" in after
    assert parse_flags(after, shipped).api_flags("batches").routes == {}


def test_editor_unset_the_only_route_of_an_entry_without_mode_removes_the_entry(tmp_path: Path) -> None:
    text = 'apis:\n  models:\n    routes:\n      "GET /v1/models": legacy\n  # files\n  files: legacy\n'
    after = _edited(tmp_path / "flags.yaml", text, lambda d: d.unset_route("models", "GET /v1/models"))
    assert after == "apis:\n  # files\n  files: legacy\n"


def test_editor_unset_of_every_api_keeps_a_valid_file(shipped: Path) -> None:
    before = shipped.read_text()

    def unset_all(document: FlagDocument) -> None:
        for api in ("models", "inference", "batches", "files", "providers"):
            document.unset(api)

    after = _edited(shipped, before, unset_all)
    assert parse_flags(after, shipped).apis == {}
    assert _comments(after) == _comments(before)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "apis:\n  models: migrated\n", id="empty"),
        pytest.param("# soon\n", "# soon\napis:\n  models: migrated\n", id="comments-only"),
        pytest.param("default: legacy\n", "default: legacy\napis:\n  models: migrated\n", id="no-apis"),
        pytest.param("apis:  # none yet\n", "apis:  # none yet\n  models: migrated\n", id="null"),
        pytest.param(
            "apis:\n  files: legacy\n\n# Mode of the rest.\ndefault: legacy\n",
            "apis:\n  files: legacy\n  models: migrated\n\n# Mode of the rest.\ndefault: legacy\n",
            id="apis-first",
        ),
    ],
)
def test_editor_creates_apis_where_the_file_has_none(tmp_path: Path, text: str, expected: str) -> None:
    assert _edited(tmp_path / "flags.yaml", text, lambda d: d.set_mode("models", "migrated")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "apis:\n    models: migrated\n",
            'apis:\n    models:\n        mode: migrated\n        routes:\n            "GET /v1/models": legacy\n',
            id="four-spaces",
        ),
        pytest.param(
            "apis:\n  models: 'migrated'  # done\n",
            "apis:\n  models:             # done\n    mode: 'migrated'\n    routes:\n"
            '      "GET /v1/models": legacy\n',
            id="quoted-mode-and-comment",
        ),
        pytest.param(
            "---\napis:\n  models: migrated\n",
            '---\napis:\n  models:\n    mode: migrated\n    routes:\n      "GET /v1/models": legacy\n',
            id="explicit-start",
        ),
    ],
)
def test_editor_keeps_the_files_indentation_quoting_and_start(tmp_path: Path, text: str, expected: str) -> None:
    def edit(document: FlagDocument) -> object:
        return document.set_route_mode("models", "GET /v1/models", "legacy")

    assert _edited(tmp_path / "flags.yaml", text, edit) == expected


def test_editor_changed_mode_keeps_its_quotes(tmp_path: Path) -> None:
    after = _edited(tmp_path / "flags.yaml", 'apis:\n  models: "migrated"\n', lambda d: d.set_mode("models", "legacy"))
    assert after == 'apis:\n  models: "legacy"\n'


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(lambda d: d.unset("inspect"), "apis.inspect: not set", id="api"),
        pytest.param(lambda d: d.unset_route("models", "GET /v1/models"), "not set; the route", id="route"),
    ],
)
def test_editor_unset_of_something_not_set_is_an_error(
    shipped: Path, edit: Callable[[FlagDocument], object], message: str
) -> None:
    with pytest.raises(FlagsError, match=message):
        edit(FlagDocument(shipped))


def test_editor_save_refuses_a_document_the_server_would_reject(shipped: Path) -> None:
    before = shipped.read_bytes()
    document = FlagDocument(shipped)
    document.set_mode("providers", "migrated")
    with pytest.raises(FlagsError, match="has no router yet"):
        document.save(ROUTES)
    assert shipped.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("apis:\n  models: [\n", "YAML syntax error at line 3", id="syntax"),
        pytest.param("- models\n", "must be a mapping", id="not-a-mapping"),
        pytest.param("apis:\n  models: 3\n", "apis.models: expected a mapping", id="entry-not-a-mapping"),
    ],
)
def test_editor_file_it_cannot_edit_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text(text)
    with pytest.raises(FlagsError, match=message):
        FlagDocument(path).set_route_mode("models", "GET /v1/models", "legacy")


def test_editor_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FlagsError, match="no such file"):
        FlagDocument(tmp_path / "missing.yaml")


def test_write_atomically_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text("default: legacy\n")
    path.chmod(0o640)
    inode = path.stat().st_ino
    write_atomically(path, "default: migrated\n")
    assert path.read_text() == "default: migrated\n"
    assert path.stat().st_ino != inode
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["flags.yaml"]


def test_write_atomically_replaces_a_symlinks_target_and_keeps_the_link(tmp_path: Path) -> None:
    data = tmp_path / "..data"
    data.mkdir()
    (data / "flags.yaml").write_text("default: legacy\n")
    link = tmp_path / "flags.yaml"
    link.symlink_to(data / "flags.yaml")
    write_atomically(link, "default: migrated\n")
    assert link.is_symlink()
    assert (data / "flags.yaml").read_text() == "default: migrated\n"
    assert sorted(os.listdir(data)) == ["flags.yaml"]


def test_write_atomically_failure_leaves_the_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "flags.yaml"
    path.write_text("default: legacy\n")

    def refuse(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, "default: migrated\n")
    assert path.read_text() == "default: legacy\n"
    assert os.listdir(tmp_path) == ["flags.yaml"]


def test_editor_leaving_shadow_drops_its_sample_and_keeps_comments(tmp_path: Path) -> None:
    text = "apis:\n  # files are checked first\n  files:\n    mode: shadow  # watch it\n    sample: 0.5\n"
    edited = _edited(tmp_path / "flags.yaml", text, lambda d: d.set_mode("files", "migrated"))
    assert _data(edited) == {"apis": {"files": {"mode": "migrated"}}}
    assert _comments(edited) == ["# files are checked first"] and "# watch it" in edited
    again = _edited(tmp_path / "flags.yaml", text, lambda d: d.set_mode("files", "shadow"))
    assert _data(again) == {"apis": {"files": {"mode": "shadow", "sample": 0.5}}}


def test_editor_record_follows_the_modes_where_legacy_answers(tmp_path: Path) -> None:
    text = "apis:\n  files:\n    mode: legacy\n    record: 0.1\n"
    shadowed = _edited(tmp_path / "flags.yaml", text, lambda d: d.set_mode("files", "shadow"))
    assert _data(shadowed) == {"apis": {"files": {"mode": "shadow", "record": 0.1}}}
    migrated = _edited(tmp_path / "flags.yaml", text, lambda d: d.set_mode("files", "migrated"))
    # A migrated API has no legacy exchange to record: a kept `record` would make the file invalid.
    assert _data(migrated) == {"apis": {"files": {"mode": "migrated"}}}


def test_editor_set_mode_leaving_canary_drops_its_fields(tmp_path: Path) -> None:
    text = "apis:\n  batches:\n    mode: canary\n    percent: 5\n    sticky: client\n    rollback: {max_5xx_ratio: 2}\n"
    after = _edited(tmp_path / "flags.yaml", text, lambda d: d.set_mode("batches", "migrated"))
    assert after == "apis:\n  batches:\n    mode: migrated\n"
