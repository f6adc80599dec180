from __future__ import annotations

from typing import Any

from gateway.contract.documents import operations
from gateway.contract.pairing import closest_twin, pair_operations, shape


def _document(*keys: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for key in keys:
        method, path = key.split(" ")
        paths.setdefault(path, {})[method.lower()] = {"responses": {}}
    return {"paths": paths}


def _pairs(legacy: list[str], migrated: list[str]) -> list[tuple[str | None, str | None, str | None]]:
    pairs = pair_operations(operations(_document(*legacy), "legacy"), operations(_document(*migrated), "migrated"))
    return [
        (pair.legacy.key if pair.legacy else None, pair.migrated.key if pair.migrated else None, pair.closest)
        for pair in pairs
    ]


def test_pairing_same_method_and_path_pair_exactly() -> None:
    assert _pairs(["GET /v1/a", "GET /v1/a/{x}"], ["GET /v1/a/{x}", "GET /v1/a"]) == [
        ("GET /v1/a", "GET /v1/a", None),
        ("GET /v1/a/{x}", "GET /v1/a/{x}", None),
    ]


def test_pairing_renamed_parameter_and_changed_method_pair_with_their_twin() -> None:
    assert _pairs(["GET /v1/a/{x}", "POST /v1/b"], ["GET /v1/a/{y}", "PUT /v1/b"]) == [
        ("GET /v1/a/{x}", "GET /v1/a/{y}", None),
        ("POST /v1/b", "PUT /v1/b", None),
    ]


def test_pairing_method_change_is_not_guessed_between_several_methods() -> None:
    assert _pairs(["POST /v1/b"], ["PUT /v1/b", "PATCH /v1/b"]) == [
        ("POST /v1/b", None, None),
        (None, "PUT /v1/b", None),
        (None, "PATCH /v1/b", None),
    ]


def test_pairing_lone_legacy_operation_names_the_closest_migrated_one() -> None:
    assert _pairs(["GET /v1/things/{id}/parts"], ["GET /v1/things/{id}/part"]) == [
        ("GET /v1/things/{id}/parts", None, "GET /v1/things/{id}/part"),
        (None, "GET /v1/things/{id}/part", "GET /v1/things/{id}/parts"),
    ]


def test_pairing_shape_ignores_parameter_names_and_converters() -> None:
    assert shape("/v1/models/{model_id:path}") == shape("/v1/models/{id}") == "/v1/models/{}"
    assert closest_twin("GET", "/v1/models/{model_id:path}", [("GET", "/v1/models/{id}")]) == ("GET", "/v1/models/{id}")
