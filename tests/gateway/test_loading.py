from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import apis
from gateway import ApiRegistry
from gateway.exceptions import ApiModuleError
from gateway.loading import load_registry


def test_load_registry_finds_the_module_registry() -> None:
    assert load_registry("apis") is apis.registry


def test_load_registry_accepts_module_colon_attribute() -> None:
    assert load_registry("apis.registry:registry") is apis.registry


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("no_such_module", "could not import module 'no_such_module'", id="missing-module"),
        pytest.param(
            "apis:nothing_here", "apis:nothing_here must be a gateway.ApiRegistry, found nothing", id="missing-attr"
        ),
        pytest.param("apis.registry:LEGACY_PROTOCOLS", "found dict", id="wrong-type"),
        pytest.param(":registry", "must be in format '<module>' or '<module>:<attribute>'", id="no-module"),
        pytest.param("apis:not an attr", "must be in format", id="bad-attr"),
    ],
)
def test_load_registry_bad_spec_names_the_problem(spec: str, message: str) -> None:
    with pytest.raises(ApiModuleError, match=re.escape(message)):
        load_registry(spec)


def test_load_registry_imports_from_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here_apis.py").write_text("from gateway import ApiRegistry\nregistry = ApiRegistry()\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [entry for entry in sys.path if entry not in ("", str(tmp_path))])
    assert isinstance(load_registry("here_apis"), ApiRegistry)


def test_load_registry_reports_bad_conventions_as_a_module_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "odd_conventions.py").write_text(
        "from http_conventions import Conventions, ErrorEntry\nConventions(errors=[ErrorEntry('x', int, 400)])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ApiModuleError, match=r"--apis odd_conventions: Conventions errors\[0\] \('x'\) names"):
        load_registry("odd_conventions")
