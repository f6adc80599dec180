"""`gateway verify`'s report as text (a line per route, then each problem), JSON, or JUnit XML for CI."""

from __future__ import annotations

import json
from collections import defaultdict
from xml.etree import ElementTree

from gateway.verify import Problem, VerifyReport


def as_text(report: VerifyReport) -> str:
    lines = [f"verify against {report.side}"]
    width = max((len(f"{api} {route}") for api, route in report.routes), default=0)
    for (api, route), counts in report.routes.items():
        lines.append(
            f"  {f'{api} {route}':<{width}}  {counts.total} exchanges  {counts.matched} match  "
            f"{counts.mismatched} mismatch  {counts.unverifiable} unverifiable"
        )
    for problem in report.problems:
        lines.append(f"{problem.kind} {problem.where} {problem.api} {problem.route}:")
        lines.extend(f"  {text}" for text in problem.text.splitlines())
    total = sum(counts.total for counts in report.routes.values())
    mismatched = sum(counts.mismatched for counts in report.routes.values())
    unverifiable = sum(counts.unverifiable for counts in report.routes.values())
    verdict = "PASS" if report.passed else "FAIL"
    lines.append(f"{verdict}: {total} exchanges, {mismatched} mismatch, {unverifiable} unverifiable")
    return "\n".join(lines)


def as_json(report: VerifyReport) -> str:
    return json.dumps(
        {
            "side": report.side,
            "passed": report.passed,
            "routes": [
                {
                    "api": counts.api,
                    "route": counts.route,
                    "exchanges": counts.total,
                    "match": counts.matched,
                    "mismatch": counts.mismatched,
                    "unverifiable": counts.unverifiable,
                }
                for counts in report.routes.values()
            ],
            "problems": [problem.__dict__ for problem in report.problems],
        },
        indent=2,
    )


def as_junit(report: VerifyReport) -> bytes:
    """A test suite per API and a test case per route, failing with its problems."""
    by_route: defaultdict[tuple[str, str], list[Problem]] = defaultdict(list)
    for problem in report.problems:
        by_route[(problem.api, problem.route)].append(problem)
    suites = ElementTree.Element("testsuites", name=f"gateway verify ({report.side})")
    for api in dict.fromkeys(api for api, _ in report.routes):
        routes = [counts for (name, _), counts in report.routes.items() if name == api]
        failing = sum(1 for counts in routes if by_route[(api, counts.route)])
        suite = ElementTree.SubElement(suites, "testsuite", name=api, tests=str(len(routes)), failures=str(failing))
        for counts in routes:
            case = ElementTree.SubElement(suite, "testcase", classname=api, name=counts.route)
            problems = by_route[(api, counts.route)]
            if problems:
                failure = ElementTree.SubElement(
                    case,
                    "failure",
                    message=f"{counts.mismatched} mismatch, {counts.unverifiable} unverifiable of {counts.total}",
                )
                failure.text = "\n\n".join(f"{p.kind} {p.where}\n{p.text}" for p in problems)
    xml: bytes = ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True)
    return xml
