from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI


@pytest.fixture
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method]
    return operation


def _parameter(operation: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in operation["parameters"] if p["name"] == name)


def test_openapi_lists_every_route_once_with_its_served_method(document: dict[str, Any]) -> None:
    served = sorted((path, method) for path, item in document["paths"].items() for method in item)
    assert ("/v1/widgets/{widget_id}", "post") in served  # the PUT route
    assert ("/v1/widgets/{widget_id}/name", "post") in served  # the PATCH route
    assert not [entry for entry in served if entry[1] in ("put", "patch")]
    assert "/v1alpha/experimental/widgets" in document["paths"]
    assert "/v1beta/preview/widgets" in document["paths"]


def test_path_parameter_of_path_type_is_documented_without_converter(document: dict[str, Any]) -> None:
    assert "/v1/files/{path}" in document["paths"]
    assert "/v1/files/{path:path}" not in document["paths"]


def test_deprecated_route_is_flagged_deprecated(document: dict[str, Any]) -> None:
    assert _operation(document, "/v1/legacy/widgets/{widget_id}", "get")["deprecated"] is True


def test_route_not_deprecated_is_not_flagged(document: dict[str, Any]) -> None:
    assert "deprecated" not in _operation(document, "/v1/widgets/{widget_id}", "get")


@pytest.mark.anyio
async def test_deprecated_route_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/legacy/widgets/w1")
    assert response.status_code == 200
    assert response.json()["widget_id"] == "w1"


def test_summary_is_the_first_docstring_line(document: dict[str, Any]) -> None:
    assert _operation(document, "/v1/widgets", "get")["summary"] == "List the widgets."


def test_description_is_the_paragraph_after_the_summary(document: dict[str, Any]) -> None:
    assert _operation(document, "/v1/widgets", "get")["description"] == "Widgets are listed in the order asked for."


def test_multiline_description_keeps_its_lines_without_indentation(document: dict[str, Any]) -> None:
    operation = _operation(document, "/v1/widgets/{widget_id}", "get")
    assert operation["description"] == "The widget comes back with every field\nthe implementation knows about."


def test_docstring_fields_never_appear_in_the_description(document: dict[str, Any]) -> None:
    for item in document["paths"].values():
        for operation in item.values():
            assert ":param" not in operation.get("description", "")
            assert ":returns" not in operation.get("description", "")


def test_operation_without_description_paragraph_has_no_description(document: dict[str, Any]) -> None:
    operation = _operation(document, "/v1/widgets/{widget_id}", "delete")
    assert operation["summary"] == "Delete a widget."
    assert "description" not in operation


@pytest.mark.parametrize(
    ("path", "method", "name", "text"),
    [
        pytest.param("/v1/widgets", "get", "color", "Only widgets of this color.", id="query-enum"),
        pytest.param("/v1/widgets", "get", "limit", "How many widgets to list at most.", id="query-scalar"),
        pytest.param("/v1/widgets/{widget_id}", "get", "widget_id", "The identifier of the widget.", id="get-path"),
        pytest.param(
            "/v1/widgets/{widget_id}",
            "delete",
            "widget_id",
            "The identifier of the widget to delete.",
            id="delete-path",
        ),
        pytest.param("/v1/files/{path}", "get", "path", "Where the file lives; may contain slashes.", id="path-type"),
    ],
)
def test_param_text_becomes_the_parameter_description(
    document: dict[str, Any], path: str, method: str, name: str, text: str
) -> None:
    assert _parameter(_operation(document, path, method), name)["description"] == text


def test_param_text_becomes_the_embedded_body_property_description(document: dict[str, Any]) -> None:
    operation = _operation(document, "/v1/widgets", "post")
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    properties = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
    assert {name: schema.get("description") for name, schema in properties.items()} == {
        "name": "The name of the new widget.",
        "size": "The size of the new widget, in whole units.",
        "tags": "Labels to attach.",
    }


def test_returns_text_becomes_the_200_response_description(document: dict[str, Any]) -> None:
    assert _operation(document, "/v1/widgets/{widget_id}", "get")["responses"]["200"]["description"] == (
        "The widget, as stored."
    )


def test_declared_return_model_is_the_200_response_schema(document: dict[str, Any]) -> None:
    response = _operation(document, "/v1/widgets", "post")["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Widget"}
    assert set(document["components"]["schemas"]["Widget"]["properties"]) == {"widget_id", "size", "tags"}


def test_openapi_document_is_built_once(app: FastAPI) -> None:
    assert app.openapi() is app.openapi()


def test_app_serves_no_docs_routes_of_its_own(app: FastAPI) -> None:
    assert app.openapi_url is None
    assert app.docs_url is None
    assert app.redoc_url is None


@pytest.mark.anyio
async def test_openapi_success_status_is_the_one_served(document: dict[str, Any], client: httpx.AsyncClient) -> None:
    # A DELETE returning None answers 204, a POST returning None 200 `null`: each document must say so.
    served = {
        ("/v1/widgets/{widget_id}", "delete"): (await client.delete("/v1/widgets/w1")).status_code,
        ("/v1/widgets/{widget_id}/touch", "post"): (await client.post("/v1/widgets/w1/touch")).status_code,
    }
    documented = {
        key: [status for status in _operation(document, *key)["responses"] if status.startswith("2")] for key in served
    }
    assert documented == {key: [str(status)] for key, status in served.items()}
    assert served == {("/v1/widgets/{widget_id}", "delete"): 204, ("/v1/widgets/{widget_id}/touch", "post"): 200}


@pytest.mark.parametrize("path", ["/v1/chat", "/v1/completions"], ids=["stream-argument", "stream-in-params"])
def test_openapi_route_that_may_stream_documents_an_event_stream(document: dict[str, Any], path: str) -> None:
    content = _operation(document, path, "post")["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/event-stream"}


def test_openapi_route_that_cannot_stream_documents_json_only(document: dict[str, Any]) -> None:
    assert set(_operation(document, "/v1/widgets", "post")["responses"]["200"]["content"]) == {"application/json"}
