from __future__ import annotations

import json

import httpx
import pytest

from tests.legacy_adapter.toy_api import WidgetsImpl

pytestmark = pytest.mark.anyio


async def test_path_parameter_of_path_type_contains_slashes(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/files/reports/2024/q1.csv")
    assert response.status_code == 200
    assert response.json() == {"path": "reports/2024/q1.csv"}


async def test_encoded_slash_in_path_parameter_arrives_decoded(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/files/reports%2F2024%2Fq1.csv")
    assert response.status_code == 200
    assert response.json() == {"path": "reports/2024/q1.csv"}


async def test_post_parameters_are_fields_of_one_embedded_json_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/widgets", json={"name": "w1", "size": 5, "tags": ["a", "b"]})
    assert response.status_code == 200
    assert response.json() == {"widget_id": "w1", "size": 5, "tags": ["a", "b"]}


async def test_post_body_fields_left_out_take_python_defaults(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/widgets", json={"name": "w1"})
    assert response.status_code == 200
    assert response.json() == {"widget_id": "w1", "size": 1, "tags": []}


async def test_post_missing_body_field_answers_400_located_in_body(
    client: httpx.AsyncClient, impl: WidgetsImpl
) -> None:
    response = await client.post("/v1/widgets", json={"size": 5})
    assert response.status_code == 400
    (error,) = response.json()["error"]["detail"]["errors"]
    assert (error["loc"], error["type"]) == (["body", "name"], "missing")
    assert impl.calls == []


async def test_post_body_field_of_wrong_type_answers_400(client: httpx.AsyncClient, impl: WidgetsImpl) -> None:
    response = await client.post("/v1/widgets", json={"name": "w1", "size": "big"})
    assert response.status_code == 400
    (error,) = response.json()["error"]["detail"]["errors"]
    assert (error["loc"], error["type"]) == (["body", "size"], "int_parsing")
    assert impl.calls == []


async def test_post_malformed_json_answers_400_json_invalid(client: httpx.AsyncClient, impl: WidgetsImpl) -> None:
    response = await client.post("/v1/widgets", content=b'{"name": "w1",', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    (error,) = response.json()["error"]["detail"]["errors"]
    assert error["type"] == "json_invalid"
    assert impl.calls == []


async def test_post_json_body_without_content_type_is_read_as_json(client: httpx.AsyncClient) -> None:
    request = client.build_request("POST", "/v1/widgets", content=json.dumps({"name": "w1", "size": 2}).encode())
    assert "content-type" not in request.headers
    response = await client.send(request)
    assert response.status_code == 200
    assert response.json() == {"widget_id": "w1", "size": 2, "tags": []}


async def test_post_path_parameter_binds_from_the_path(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/widgets/from-path", json={"size": 3, "widget_id": "from-body"})
    assert response.status_code == 200
    assert response.json()["widget_id"] == "from-path"


async def test_post_path_parameter_is_not_a_body_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/widgets/w1/touch")
    assert response.status_code == 200


async def test_file_and_form_parameters_keep_their_annotation_for_multipart_upload(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/v1/files", files={"file": ("notes.txt", b"hello", "text/plain")}, data={"purpose": "assistants"}
    )
    assert response.status_code == 200
    assert response.json() == {"filename": "notes.txt", "content": "hello", "purpose": "assistants"}


async def test_get_parameters_come_from_the_query_string(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/widgets", params={"color": "blue", "order": "desc", "limit": "3"})
    assert response.status_code == 200
    assert response.json() == {"color": "blue", "order": "desc", "limit": 3}


async def test_get_parameters_left_out_take_python_defaults(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/widgets")
    assert response.json() == {"color": None, "order": "asc", "limit": 10}


@pytest.mark.parametrize(
    ("params", "loc", "error_type"),
    [
        pytest.param({"color": "green"}, ["query", "color"], "enum", id="bad-enum"),
        pytest.param({"order": "sideways"}, ["query", "order"], "literal_error", id="bad-literal"),
        pytest.param({"limit": "many"}, ["query", "limit"], "int_parsing", id="bad-int"),
    ],
)
async def test_get_bad_query_value_answers_400(
    client: httpx.AsyncClient, impl: WidgetsImpl, params: dict[str, str], loc: list[str], error_type: str
) -> None:
    response = await client.get("/v1/widgets", params=params)
    assert response.status_code == 400
    (error,) = response.json()["error"]["detail"]["errors"]
    assert (error["loc"], error["type"]) == (loc, error_type)
    assert impl.calls == []


async def test_delete_path_parameter_binds_from_the_path(client: httpx.AsyncClient, impl: WidgetsImpl) -> None:
    response = await client.delete("/v1/widgets/w1")
    assert response.status_code == 204
    assert impl.calls == ["delete_widget"]
