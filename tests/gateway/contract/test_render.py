from __future__ import annotations

import json
from pathlib import Path

from gateway.contract import NO_ROUTER, RENDERERS, ApiReport, Finding
from gateway.contract.render import render_json, render_markdown, render_text

GOLDEN = Path(__file__).with_name("drifting.md")


def _reports(findings: list[Finding]) -> list[ApiReport]:
    accepted = [
        finding.accept("tracked in TICKET-12") if finding.id == "deprecation-added" else finding for finding in findings
    ]
    return [ApiReport("widgets", accepted), ApiReport("gadgets"), ApiReport("providers", note=NO_ROUTER)]


def test_render_markdown_matches_the_golden_file(drifting_findings: list[Finding]) -> None:
    # After a deliberate change: gateway diff --apis tests.gateway.contract.drifting_api --format markdown,
    # or write render_markdown's output here, and read the diff of the file before committing it.
    assert render_markdown(_reports(drifting_findings)) == GOLDEN.read_text()


def test_render_json_keys_are_the_documented_ones(drifting_findings: list[Finding]) -> None:
    document = json.loads(render_json(_reports(drifting_findings)))
    assert set(document) == {"counts", "apis"}
    assert document["counts"] == {"err": 21, "warn": 2, "info": 5, "accepted": 1}
    widgets = document["apis"]["widgets"]
    assert set(widgets) == {"compared", "note", "counts", "findings"}
    assert set(widgets["findings"][0]) == {
        "id",
        "level",
        "api",
        "operation",
        "subject",
        "message",
        "legacy",
        "migrated",
        "accepted",
    }
    assert document["apis"]["providers"] == {
        "compared": False,
        "note": NO_ROUTER,
        "counts": {"err": 0, "warn": 0, "info": 0, "accepted": 0},
        "findings": [],
    }


def test_render_text_gives_each_finding_its_level_id_sentence_and_pointers(drifting_findings: list[Finding]) -> None:
    text = render_text(_reports(drifting_findings))
    assert text.splitlines()[0] == "widgets: 21 ERR, 2 WARN, 5 INFO (1 accepted)"
    assert (
        "  ERR           success-status-changed\n"
        "      DELETE /v1/widgets/{widget_id}: success status 204 (legacy) became 200 (migrated); "
        "clients that check for 204 break\n"
        "      legacy:   #/paths/~1v1~1widgets~1{widget_id}/delete/responses\n"
        "      migrated: #/paths/~1v1~1widgets~1{widget_id}/delete/responses\n"
    ) in text
    assert "  WARN accepted deprecation-added\n" in text
    assert "      accepted: tracked in TICKET-12\n" in text
    assert text.endswith(
        "gadgets: 0 ERR, 0 WARN, 0 INFO\nproviders: nothing to compare: no router\n"
        "total: 21 ERR, 2 WARN, 5 INFO (1 accepted)\n"
    )


def test_render_formats_are_the_cli_choices() -> None:
    from typing import get_args

    from gateway.cli.diff import OutputFormat

    assert get_args(OutputFormat) == tuple(RENDERERS)
