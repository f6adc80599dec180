from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict
from typer.testing import CliRunner

from gateway import ApiContext, ApiRegistry
from gateway.cli import app
from tests.gateway.contract import drifting_api

runner = CliRunner()
DRIFTING = "tests.gateway.contract.drifting_api"
UNMIGRATED = "tests.gateway.unmigrated_apis"


def test_diff_example_apis_are_clean_because_their_documents_are_true() -> None:
    result = runner.invoke(app, ["diff", "--format", "json", "--apis", UNMIGRATED])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"]["err"] == 0
    assert {api: entry["compared"] for api, entry in report["apis"].items()} == {
        "models": True,
        "files": True,
        "inference": True,
        "batches": True,
        "providers": False,
        "inspect": True,
    }
    assert report["apis"]["providers"]["note"] == "nothing to compare: no router"


def test_diff_drifting_api_exits_1_and_names_every_level() -> None:
    result = runner.invoke(app, ["diff", "--apis", DRIFTING])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "widgets: 21 ERR, 3 WARN, 5 INFO"
    assert result.output.endswith("total: 21 ERR, 3 WARN, 5 INFO\n")


@pytest.mark.parametrize(
    ("ignored", "fail_on", "status"),
    [
        pytest.param("ERR", "err", 0, id="errors-accepted"),
        pytest.param("ERR", "warn", 1, id="errors-accepted-warnings-fail"),
        pytest.param("ERR WARN", "warn", 0, id="errors-and-warnings-accepted"),
    ],
)
def test_diff_exit_status_follows_fail_on_and_accepted_findings(
    tmp_path: Path, ignored: str, fail_on: str, status: int
) -> None:
    found = json.loads(runner.invoke(app, ["diff", "--apis", DRIFTING, "--format", "json"]).output)
    entries = [
        {"id": f["id"], "operation": f["operation"], "subject": f["subject"], "reason": "known"}
        for f in found["apis"]["widgets"]["findings"]
        if f["level"] in ignored.split()
    ]
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(json.dumps(entries))
    result = runner.invoke(app, ["diff", "--apis", DRIFTING, "--fail-on", fail_on, "--ignore", str(ignore)])
    assert result.exit_code == status, result.output


def test_diff_saved_documents_with_the_same_checks(tmp_path: Path) -> None:
    from legacy_adapter import create_legacy_app
    from tests.gateway.contract.drifting_api import WidgetsApi, migrated_widgets, new_widgets

    legacy, migrated = tmp_path / "legacy.json", tmp_path / "migrated.json"
    legacy.write_text(json.dumps(create_legacy_app(WidgetsApi, new_widgets()).openapi()))
    migrated.write_text(json.dumps(migrated_widgets(new_widgets(), None).openapi()))  # type: ignore[arg-type]
    result = runner.invoke(app, ["diff", "--documents", str(legacy), str(migrated)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "documents: 21 ERR, 3 WARN, 5 INFO"
    assert runner.invoke(app, ["diff", "--documents", str(legacy), str(legacy)]).exit_code == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ["modles"],
            "error: unknown API 'modles' (did you mean 'models'?); registered: batches, files, inference, inspect, "
            "models, providers\n",
            id="unknown-api",
        ),
        pytest.param(
            ["providers", "--apis", UNMIGRATED],
            "error: providers: nothing to compare: no router (register its router with `migrated=` to compare it)\n",
            id="no-router",
        ),
        pytest.param(
            ["--apis", "no_such_module"],
            f"error: --apis: could not import module 'no_such_module' "
            f"(looked in {os.getcwd()} and the installed packages)\n",
            id="apis",
        ),
    ],
)
def test_diff_bad_input_exits_2_with_a_message(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["diff", *arguments])
    assert result.exit_code == 2
    assert result.output == message


def test_diff_unreadable_documents_exit_2_naming_the_file(tmp_path: Path) -> None:
    broken, good = tmp_path / "broken.json", tmp_path / "good.json"
    broken.write_text("{")
    good.write_text('{"paths": {}}')
    result = runner.invoke(app, ["diff", "--documents", str(good), str(broken)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {broken}: not JSON: ")
    missing = runner.invoke(app, ["diff", "--documents", str(good), str(tmp_path / "gone.json")])
    assert missing.exit_code == 2
    assert "gone.json: cannot read it" in missing.output


class _Opaque:
    """A type no JSON schema describes."""


class _Holder(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    value: _Opaque


def _unbuildable_router(implementation: Any, context: ApiContext) -> FastAPI:
    router = FastAPI()

    @router.get("/v1/widgets/{widget_id}")
    async def get_widget(widget_id: str) -> _Holder:
        raise NotImplementedError

    return router


unbuildable = ApiRegistry()
unbuildable.register_api(
    "widgets",
    implementation=drifting_api.open_widgets,
    legacy=drifting_api.legacy_widgets,
    migrated=_unbuildable_router,
)


def test_diff_document_that_fails_to_build_exits_2_with_the_builders_error() -> None:
    result = runner.invoke(app, ["diff", "--apis", f"{__name__}:unbuildable"])
    assert result.exit_code == 2
    assert result.output.startswith("error: widgets (migrated): its OpenAPI document does not build: ")
    assert "_Opaque" in result.output


def test_diff_stale_ignore_entry_is_a_warning(tmp_path: Path) -> None:
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text("- id: method-changed\n  operation: GET /gone\n  reason: old\n")
    result = runner.invoke(app, ["diff", "--apis", DRIFTING, "--ignore", str(ignore)])
    assert result.exit_code == 1
    assert f"warning: {ignore}: entry method-changed 'GET /gone' matches no finding; remove it" in result.output
