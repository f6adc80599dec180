from __future__ import annotations

import pytest

from gateway.routes import GatewayRoute, RouteIndex


def _route(method: str, template: str, api: str = "models") -> GatewayRoute:
    return GatewayRoute(api=api, method=method, template=template, legacy=True, migrated=True)


ROUTES = [
    _route("GET", "/v1/models"),
    _route("POST", "/v1/models"),
    _route("GET", "/v1/models/{model_id:path}"),
    _route("DELETE", "/v1/models/{model_id:path}"),
    _route("GET", "/v1/files/{file_id}", "files"),
    _route("GET", "/v1/files/{file_id}/content", "files"),
    _route("POST", "/v1/batches/{batch_id}/cancel", "batches"),
    _route("GET", "/v1/health", "inspect"),
]


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        pytest.param("GET", "/v1/models", "/v1/models", id="static"),
        pytest.param("POST", "/v1/models", "/v1/models", id="static-other-method"),
        pytest.param("GET", "/v1/models/echo", "/v1/models/{model_id:path}", id="param"),
        pytest.param("GET", "/v1/models/team/echo-large", "/v1/models/{model_id:path}", id="path-param-with-slash"),
        pytest.param("GET", "/v1/files/file-1", "/v1/files/{file_id}", id="param-last"),
        pytest.param("GET", "/v1/files/file-1/content", "/v1/files/{file_id}/content", id="param-then-literal"),
        pytest.param("POST", "/v1/batches/b1/cancel", "/v1/batches/{batch_id}/cancel", id="deep"),
        pytest.param("HEAD", "/v1/health", "/v1/health", id="head-is-get"),
    ],
)
def test_route_index_finds_the_template(method: str, path: str, template: str) -> None:
    match = RouteIndex(ROUTES).match(method, path)
    assert match.route is not None
    assert match.route.template == template


def test_route_index_wrong_method_lists_the_allowed_ones() -> None:
    match = RouteIndex(ROUTES).match("PUT", "/v1/models/echo")
    assert match.route is None
    assert match.allowed == {"GET", "DELETE"}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/v2/models", id="other-level"),
        pytest.param("/v1/files/a/b", id="param-without-slashes-gets-one"),
        pytest.param("/v1/batches/b1", id="prefix-of-a-template"),
        pytest.param("/", id="root"),
    ],
)
def test_route_index_unknown_path_matches_nothing(path: str) -> None:
    match = RouteIndex(ROUTES).match("GET", path)
    assert match.route is None and not match.allowed


def test_route_key_is_method_and_template() -> None:
    assert _route("GET", "/v1/models/{model_id:path}").key == "GET /v1/models/{model_id:path}"


def test_route_index_lookup_does_not_scan_unrelated_templates() -> None:
    many = [_route("GET", f"/v1/api{n}/items/{{item_id}}", f"api{n}") for n in range(1000)]
    index = RouteIndex([*many, *ROUTES])
    # Templates are grouped by their literal prefix: a lookup sees only its own group.
    assert max(len(group) for group in index._by_prefix.values()) <= 2
    match = index.match("GET", "/v1/api999/items/x")
    assert match.route is not None and match.route.api == "api999"


def test_route_index_matches_the_same_once_it_has_forgotten_the_paths_it_saw() -> None:
    index = RouteIndex(ROUTES, seen=2)
    paths = ["/v1/models/a", "/v1/files/f-1", "/nowhere/at/all", "/v1/models/b/c", "/v1/files/f-1/content"]

    first = [index.match("GET", path) for path in paths]
    again = [index.match("GET", path) for path in reversed(paths)]

    assert again == list(reversed(first))
    assert [match.key for match in first] == [
        "GET /v1/models/{model_id:path}",
        "GET /v1/files/{file_id}",
        None,
        "GET /v1/models/{model_id:path}",
        "GET /v1/files/{file_id}/content",
    ]
    # The static templates stay known whatever was forgotten.
    assert index.match("GET", "/v1/models").key == "GET /v1/models"


def test_route_index_matches_a_long_path_it_does_not_remember_every_time() -> None:
    index = RouteIndex(ROUTES)
    path = "/v1/models/" + "x" * 5000

    assert [index.match("GET", path).key for _ in range(2)] == ["GET /v1/models/{model_id:path}"] * 2
    assert index.match("PUT", path).allowed == frozenset({"GET", "DELETE"})
