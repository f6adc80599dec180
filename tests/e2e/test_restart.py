"""State kept under the data directory survives stopping the server and starting a new one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import openai

if TYPE_CHECKING:
    from tests.e2e.conftest import StartGateway

CONTENT = b'{"custom_id": "r1"}\n'


def test_restart_keeps_registered_models_and_uploaded_files(start_gateway: StartGateway, tmp_path: Path) -> None:
    with start_gateway(tmp_path) as gateway:
        registered = httpx.post(
            f"{gateway.base_url}/v1/models",
            json={"model_id": "team/kept", "provider_model_id": "lorem", "metadata": {"kept": "yes"}},
        )
        assert registered.status_code == 200, registered.text
        with openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0) as client:
            uploaded = client.files.create(file=("kept.jsonl", CONTENT, "application/jsonl"), purpose="batch")

    with (
        start_gateway(tmp_path) as gateway,
        openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0) as client,
    ):
        model = client.models.retrieve("team/kept")
        assert model.to_dict()["metadata"] == {"kept": "yes"}
        assert client.files.retrieve(uploaded.id) == uploaded
        assert client.files.content(uploaded.id).read() == CONTENT
        completion = client.chat.completions.create(
            model="team/kept", messages=[{"role": "user", "content": "hi"}], max_tokens=3
        )
        assert completion.choices[0].message.content == "lorem ipsum dolor"
