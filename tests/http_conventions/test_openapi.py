"""The OpenAPI helpers both sides and the gateway share."""

from __future__ import annotations

from typing import Protocol

import pytest

from http_conventions.openapi import openapi_path
from legacy_adapter import create_legacy_app, webmethod


@pytest.mark.parametrize(
    ("template", "path"),
    [
        pytest.param("/v1/models", "/v1/models", id="static"),
        pytest.param("/v1/files/{file_id}", "/v1/files/{file_id}", id="plain-parameter"),
        pytest.param("/v1/models/{model_id:path}", "/v1/models/{model_id}", id="path-converter"),
        pytest.param("/v1/pages/{number:int}/lines/{line:int}", "/v1/pages/{number}/lines/{line}", id="int-converters"),
    ],
)
def test_openapi_path_drops_converters(template: str, path: str) -> None:
    assert openapi_path(template) == path


class Pages(Protocol):
    @webmethod(route="/pages/{number:int}", method="GET")
    async def get_page(self, number: int) -> dict[str, int]:
        """Read one page.

        :param number: The page number, from 1.
        """
        ...


class PagesImpl:
    async def get_page(self, number: int) -> dict[str, int]:
        return {"number": number}


def test_legacy_document_of_a_route_with_a_converter_other_than_path_is_completed_from_docstrings() -> None:
    operation = create_legacy_app(Pages, PagesImpl()).openapi()["paths"]["/v1/pages/{number}"]["get"]

    assert operation["summary"] == "Read one page."
    assert operation["parameters"][0]["description"] == "The page number, from 1."
