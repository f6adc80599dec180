from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from apis.registry import registry
from gateway.exceptions import AuthDeclarationError
from gateway.lifecycle import started_apis
from gateway.requirements import AUTHENTICATED, PUBLIC, Requirement, declared_requirement, describe, differ
from gateway.routes import collect_routes
from gateway.settings import ServerSettings


def _route(openapi_extra: Any) -> SimpleNamespace:
    return SimpleNamespace(openapi_extra=openapi_extra)


@pytest.mark.parametrize(
    ("route", "requirement"),
    [
        pytest.param(object(), AUTHENTICATED, id="plain-starlette-route"),
        pytest.param(_route(None), AUTHENTICATED, id="nothing-declared"),
        pytest.param(_route({"x-other": 1}), AUTHENTICATED, id="other-extras"),
        pytest.param(_route({"security": []}), PUBLIC, id="public"),
        pytest.param(_route({"security": [{"bearer": []}]}), AUTHENTICATED, id="authenticated"),
        pytest.param(_route({"security": [{"apiKey": ["a:b"]}]}), Requirement(scope="a:b"), id="scope-any-scheme"),
    ],
)
def test_declared_requirement_reads_the_openapi_security_of_a_route(route: Any, requirement: Requirement) -> None:
    assert declared_requirement(route, "toy (migrated): GET /v1/x") == requirement


@pytest.mark.parametrize(
    "security",
    [
        pytest.param([{"bearer": []}, {"apiKey": []}], id="alternatives"),
        pytest.param([{"bearer": ["a", "b"]}], id="two-scopes"),
        pytest.param([{"bearer": ['say "hi"']}], id="scope-with-quote"),
        pytest.param([{}], id="optional-auth"),
        pytest.param("bearer", id="not-a-list"),
    ],
)
def test_declared_requirement_refuses_what_it_cannot_enforce_naming_the_route(security: Any) -> None:
    with pytest.raises(AuthDeclarationError, match=r"^toy \(migrated\): GET /v1/x: security .* declare \[\]"):
        declared_requirement(_route({"security": security}), "toy (migrated): GET /v1/x")


def test_requirements_describe_both_sides_only_where_they_differ() -> None:
    scoped = Requirement(scope="models:write")
    assert describe(scoped, scoped) == "scope models:write"
    assert describe(None, PUBLIC) == "public"
    assert not differ(PUBLIC, None)
    assert differ(PUBLIC, AUTHENTICATED)
    assert describe(PUBLIC, AUTHENTICATED) == "legacy: public / migrated: authenticated"


@pytest.mark.anyio
async def test_example_apis_declare_the_same_requirement_on_both_sides(tmp_path: Path) -> None:
    async with started_apis(registry, ServerSettings(data_dir=tmp_path)) as apis:
        routes = collect_routes(apis)
    by_requirement: dict[str, set[str]] = {}
    for route in routes:
        assert not differ(route.legacy_auth, route.migrated_auth), route.key
        by_requirement.setdefault(str(route.auth), set()).add(route.key)
    assert by_requirement["public"] == {"GET /v1/health", "GET /v1/version"}
    assert by_requirement["scope models:write"] == {
        "POST /v1/models",
        "POST /v1/models/{model_id:path}",
        "DELETE /v1/models/{model_id:path}",
    }
    assert len(by_requirement["authenticated"]) == len(routes) - 5
