from __future__ import annotations

import re

from gateway.contract import CHECKS, Finding, Level


def test_catalogue_ids_are_unique_and_kebab_case() -> None:
    ids = [check.id for check in CHECKS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)+", check_id) for check_id in ids)


def test_catalogue_lists_errors_before_warnings_before_information() -> None:
    # Checks on operations that are unpaired come first; below them the levels never go up.
    ranks = [check.level.rank for check in CHECKS[4:]]
    assert ranks == sorted(ranks, reverse=True)


def test_catalogue_every_check_fires_on_the_drifting_fixture(drifting_findings: list[Finding]) -> None:
    fired = {finding.id for finding in drifting_findings}
    assert [check.id for check in CHECKS if check.id not in fired] == []


def test_catalogue_level_of_each_finding_is_its_check_level(drifting_findings: list[Finding]) -> None:
    levels = {check.id: check.level for check in CHECKS}
    assert all(finding.level is levels[finding.id] for finding in drifting_findings)
    assert {finding.level for finding in drifting_findings} == set(Level)
