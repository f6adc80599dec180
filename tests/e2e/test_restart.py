"""State kept under the data directory survives stopping the server and starting a new one."""

from __future__ import annotations

import signal
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


def test_restart_after_kill_9_removes_half_written_uploads(start_gateway: StartGateway, tmp_path: Path) -> None:
    gateway = start_gateway(tmp_path)
    with gateway:
        uploaded = httpx.post(
            f"{gateway.base_url}/v1/files", files={"file": ("kept.jsonl", CONTENT)}, data={"purpose": "batch"}
        )
        assert uploaded.status_code == 200, uploaded.text
        # What a batch's output being written looks like when the process dies mid-write.
        half_written = tmp_path / "data" / "files" / ".upload-x7q2k9"
        half_written.write_bytes(b"x" * 4 * 1024 * 1024)
        gateway.stop(signal.SIGKILL)

    with start_gateway(tmp_path) as gateway:
        assert not half_written.exists()
        content = httpx.get(f"{gateway.base_url}/v1/files/{uploaded.json()['id']}/content")
        assert content.content == CONTENT
        removed = gateway.wait_for_log(lambda line: line["event"] == "partial_files_removed", what="on the sweep")
        assert (removed["files"], removed["bytes"]) == ([half_written.name], 4 * 1024 * 1024)
