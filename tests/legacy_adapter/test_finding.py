from __future__ import annotations

from pathlib import Path

import pytest

from legacy_adapter.finding import api_name, find_protocols
from tests.legacy_adapter.toy_api import WidgetsApi, WidgetsImpl
from tests.team_api.service import Audit, AuditTool, Ledger, LedgerImplementation


def test_finds_protocols_by_their_records_whatever_the_decorator() -> None:
    found = find_protocols("tests.team_api")
    # LedgerHousekeeping declares no routes; the implementations inherit nothing decorated.
    assert [(item.api, item.protocol, item.implementation) for item in found] == [
        ("ledger", Ledger, LedgerImplementation),
        ("audit", Audit, AuditTool),
    ]
    assert found[1].methods == {"query"}


def test_a_single_module_is_searched_too() -> None:
    (found,) = find_protocols("tests.legacy_adapter.toy_api")
    assert (found.api, found.protocol, found.implementation) == ("widgets", WidgetsApi, WidgetsImpl)


def test_no_implementation_is_proposed_when_several_fit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "twice.py").write_text(
        "from typing import Protocol\n"
        "from legacy_adapter import webmethod\n"
        "class Shelf(Protocol):\n"
        "    @webmethod(route='/books', method='GET')\n"
        "    async def books(self) -> list[str]: ...\n"
        "class OneShelf:\n"
        "    async def books(self) -> list[str]: return []\n"
        "class OtherShelf:\n"
        "    async def books(self) -> list[str]: return []\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    (found,) = find_protocols("twice")
    assert (found.api, found.implementation) == ("shelf", None)


@pytest.mark.parametrize(
    ("name", "api"),
    [("ModelsApi", "models"), ("ToolRuntime", "tool_runtime"), ("VectorIOProtocol", "vector_io"), ("Api", "api")],
)
def test_api_names_from_protocol_names(name: str, api: str) -> None:
    assert api_name(type(name, (), {})) == api
