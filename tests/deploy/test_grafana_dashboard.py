"""deploy/grafana/gateway-dashboard.json: every query parses as PromQL and asks for series the gateway exposes.

The series come from the gateway's own /metrics after traffic that makes every kind appear: both
sides, 2xx to 5xx, a request no route matched, shadow matches and mismatches, a canary rollback
and canary requests without their sticky header (`tests.gateway.rollout.canary_api`'s pets API).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import GatewayApp
from gateway.flags import parse_flags
from gateway.settings import ServerSettings
from tests.deploy.manifests import DEPLOY
from tests.gateway.rollout import canary_api

DASHBOARD = DEPLOY / "grafana" / "gateway-dashboard.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# What Grafana puts in place of its interval variables before it sends a query.
GRAFANA_INTERVALS = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}
# A label matcher's value that names fixed values (`backend=~"legacy|migrated"`), not a pattern or a variable.
LITERAL_ALTERNATIVES = re.compile(r"[\w().-]+(\|[\w().-]+)*")
SELECTING = (promql_parser.MatchOp.Equal, promql_parser.MatchOp.Re)
LABEL_VALUES = re.compile(r"label_values\((?P<selector>.+), *(?P<label>\w+)\)")
WAIT = 10.0

Series = dict[str, dict[str, set[str]]]


def _dashboard() -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return dashboard


def _panels() -> list[dict[str, Any]]:
    return [panel for panel in _dashboard()["panels"] if panel["type"] != "row"]


def _queries() -> list[Any]:
    """Every PromQL expression the dashboard sends, panel targets and annotations, named by their title."""
    annotations = _dashboard()["annotations"]["list"]
    targets = [pytest.param(target["expr"], id=panel["title"]) for panel in _panels() for target in panel["targets"]]
    return targets + [pytest.param(item["expr"], id=item["name"]) for item in annotations if "expr" in item]


def _parse(query: str) -> promql_parser.Expr:
    for variable, value in GRAFANA_INTERVALS.items():
        query = query.replace(variable, value)
    return promql_parser.parse(query)


def _walk(node: promql_parser.Expr) -> Iterator[promql_parser.Expr]:
    yield node
    if isinstance(node, promql_parser.BinaryExpr):
        yield from _walk(node.lhs)
        yield from _walk(node.rhs)
    elif isinstance(node, promql_parser.Call):
        for argument in node.args:
            yield from _walk(argument)
    elif isinstance(node, promql_parser.MatrixSelector):
        yield from _walk(node.vector_selector)
    elif isinstance(node, promql_parser.AggregateExpr | promql_parser.ParenExpr | promql_parser.UnaryExpr):
        yield from _walk(node.expr)


def _selected_metrics(node: promql_parser.Expr) -> set[str]:
    return {item.name for item in _walk(node) if isinstance(item, promql_parser.VectorSelector) and item.name}


def _problems(query: str, series: Series) -> list[str]:
    """What in `query` the gateway's series do not have: a metric, a label, a fixed label value."""
    problems = []
    for node in _walk(_parse(query)):
        if isinstance(node, promql_parser.VectorSelector):
            if node.name is None or node.name not in series:
                problems.append(f"no metric {node.name}")
                continue
            for matcher in node.matchers.matchers:
                values = series[node.name].get(matcher.name)
                if values is None:
                    problems.append(f"{node.name} has no label {matcher.name}")
                elif matcher.op in SELECTING and LITERAL_ALTERNATIVES.fullmatch(matcher.value):
                    missing = set(matcher.value.split("|")) - values
                    problems += [f"{node.name}{{{matcher.name}}} never is {value!r}" for value in sorted(missing)]
        elif isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            labels = set().union(*(series.get(name, {}).keys() for name in _selected_metrics(node.expr)))
            problems += [
                f"grouped by {label}, a label of none of its metrics"
                for label in node.modifier.labels
                if label not in labels
            ]
            if "le" in labels and "le" not in node.modifier.labels:
                problems.append("buckets summed without `le`: histogram_quantile would have no buckets left")
    return problems


async def _metrics(client: httpx.AsyncClient) -> str:
    return (await client.get("/metrics")).text


@asynccontextmanager
async def _pets(tmp_path: Path, flags: str) -> AsyncIterator[httpx.AsyncClient]:
    app = GatewayApp(
        canary_api.registry, ServerSettings(data_dir=tmp_path), flags=parse_flags(flags, tmp_path / "f.yaml")
    )
    async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        yield client


async def _canary_rolled_back(tmp_path: Path) -> str:
    flags = (
        "apis:\n  pets:\n    mode: canary\n    percent: 50\n    sticky: header:x-user-id\n"
        "    rollback: {max_5xx_ratio: 2, min_requests: 10, window_s: 30}\n"
    )
    async with _pets(tmp_path, flags) as client, asyncio.timeout(WAIT):
        await client.get("/nowhere")
        while "gateway_rollbacks_total{" not in (metrics := await _metrics(client)):
            for _ in range(10):
                await client.get("/v1/pets/failing")
                await client.get("/v1/pets")
        return metrics


async def _shadowed(tmp_path: Path) -> str:
    async with _pets(tmp_path, "apis:\n  pets: shadow\n") as client, asyncio.timeout(WAIT):
        await client.get("/v1/pets")
        await client.get("/v1/pets/failing")
        while True:
            metrics = await _metrics(client)
            if all(f'result="{result}"' in metrics for result in ("match", "mismatch")):
                break
            await asyncio.sleep(0.01)
        return metrics


def _series(*expositions: str) -> Series:
    """Each sample name of the expositions with its labels and the values each label took."""
    series: Series = defaultdict(lambda: defaultdict(set))
    for text in expositions:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = series[sample.name]
                for label, value in sample.labels.items():
                    labels[label].add(value)
    return {name: dict(labels) for name, labels in series.items()}


@pytest.fixture(scope="module")
def gateway_series(tmp_path_factory: pytest.TempPathFactory) -> Series:
    async def collect() -> Series:
        rolled_back = await _canary_rolled_back(tmp_path_factory.mktemp("canary"))
        shadowed = await _shadowed(tmp_path_factory.mktemp("shadow"))
        return _series(rolled_back, shadowed)

    return asyncio.run(collect())


@pytest.mark.parametrize("query", _queries())
def test_query_asks_for_series_the_gateway_exposes(query: str, gateway_series: Series) -> None:
    assert _problems(query, gateway_series) == []
