from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gateway.app import GatewayApp
from gateway.cli import app
from gateway.loading import load_registry
from gateway.settings import ServerSettings

runner = CliRunner()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in [name for name in sys.modules if name.startswith("gateway_apis") or name == "team_apis"]:
        monkeypatch.delitem(sys.modules, name)
    return tmp_path


def test_init_writes_a_module_that_serves_every_api_on_legacy(here: Path) -> None:
    result = runner.invoke(app, ["init", "tests.team_api", "--module", "team_apis", "--flags", "flags.yaml"])
    assert result.exit_code == 0, result.output
    implemented = "tests.team_api.service.Ledger (implemented by tests.team_api.service.LedgerImplementation)"
    assert f"ledger           {implemented}" in result.output
    assert "gateway serve --apis team_apis --flags flags.yaml" in result.output
    assert (here / "flags.yaml").read_text().endswith("apis:\n  ledger: legacy\n  audit: legacy\n")
    registry = load_registry("team_apis")
    assert [registration.name for registration in registry] == ["ledger", "audit"]


@pytest.mark.anyio
async def test_the_written_module_serves_through_the_gateway(here: Path) -> None:
    assert runner.invoke(app, ["init", "tests.legacy_adapter.toy_api", "--module", "team_apis"]).exit_code == 0
    gateway = GatewayApp(
        load_registry("team_apis"), ServerSettings(data_dir=here / "data"), flags=here / "config" / "migration.yaml"
    )
    async with gateway.running():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(gateway), base_url="http://t") as client:
            response = await client.get("/v1/widgets/w1")
            assert (response.status_code, response.headers["x-gateway-backend"]) == (200, "legacy")
            assert response.json()["widget_id"] == "w1"


def test_init_refuses_a_package_without_protocols(here: Path) -> None:
    result = runner.invoke(app, ["init", "gateway.cli"])
    assert result.exit_code == 2
    assert "no @webmethod protocols in 'gateway.cli'" in result.output
    assert not (here / "gateway_apis.py").exists()


def test_init_names_a_package_it_cannot_import(here: Path) -> None:
    result = runner.invoke(app, ["init", "no_such_package"])
    assert result.exit_code == 2
    assert "cannot import 'no_such_package'" in result.output


def test_init_refuses_an_existing_flag_file(here: Path) -> None:
    (here / "config").mkdir()
    (here / "config" / "migration.yaml").write_text("default: migrated\n")
    result = runner.invoke(app, ["init", "tests.team_api"])
    assert result.exit_code == 2
    assert "config/migration.yaml exists; nothing was written" in result.output
    assert not (here / "gateway_apis.py").exists()


def test_init_refuses_a_module_name_python_cannot_import(here: Path) -> None:
    result = runner.invoke(app, ["init", "tests.team_api", "--module", "gateway-apis"])
    assert result.exit_code == 2
    assert "--module must be a Python module name, not 'gateway-apis'" in result.output


def test_init_leaves_a_todo_where_no_implementation_fits(here: Path) -> None:
    (here / "bare.py").write_text(
        "from typing import Protocol\n"
        "from legacy_adapter import webmethod\n"
        "class BooksApi(Protocol):\n"
        "    @webmethod(route='/books', method='GET')\n"
        "    async def books(self) -> list[str]: ...\n"
    )
    result = runner.invoke(app, ["init", "bare"])
    assert result.exit_code == 0, result.output
    assert "books            bare.BooksApi (implementation: TODO)" in result.output
    written = (here / "gateway_apis.py").read_text()
    assert "# TODO: yield the object that implements BooksApi" in written
    assert (
        'raise NotImplementedError("gateway_apis.py: open_books must yield the implementation of BooksApi")' in written
    )
