from __future__ import annotations

import json

import httpx
import pytest

from http_conventions import PROVIDER_DATA_HEADER

pytestmark = pytest.mark.anyio

PROVIDER_DATA = {"openai_api_key": "sk-test", "region": "eu"}


async def test_provider_data_header_is_visible_to_the_implementation(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/context", headers={PROVIDER_DATA_HEADER: json.dumps(PROVIDER_DATA)})
    assert response.json() == PROVIDER_DATA


async def test_provider_data_is_visible_in_every_stream_item(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/chat",
        json={"prompt": "hi", "count": 3, "stream": True},
        headers={PROVIDER_DATA_HEADER: json.dumps(PROVIDER_DATA)},
    )
    events = [json.loads(line.removeprefix("data: ")) for line in response.text.split("\n\n") if line]
    assert [event["provider_data"] for event in events] == [PROVIDER_DATA] * 3


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param('["a", "list"]', id="not-an-object"),
        pytest.param("", id="empty"),
    ],
)
async def test_malformed_provider_data_header_is_ignored(client: httpx.AsyncClient, header: str) -> None:
    response = await client.get("/v1/context", headers={PROVIDER_DATA_HEADER: header})
    assert response.status_code == 200
    assert response.json() == {}


async def test_provider_data_does_not_leak_into_the_next_request(client: httpx.AsyncClient) -> None:
    await client.get("/v1/context", headers={PROVIDER_DATA_HEADER: json.dumps(PROVIDER_DATA)})
    response = await client.get("/v1/context")
    assert response.json() == {}


async def test_provider_data_does_not_leak_out_of_a_stream_into_the_next_request(client: httpx.AsyncClient) -> None:
    await client.post(
        "/v1/chat",
        json={"prompt": "hi", "count": 2, "stream": True},
        headers={PROVIDER_DATA_HEADER: json.dumps(PROVIDER_DATA)},
    )
    response = await client.get("/v1/context")
    assert response.json() == {}
