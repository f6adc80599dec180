"""State written by one app is there for the next app started on the same data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apis.steps import (
    batch_line,
    create_batch,
    file_content,
    jsonl,
    read_jsonl,
    serve_legacy,
    upload_file,
    wait_for_batch,
)

pytestmark = pytest.mark.anyio


async def test_restart_keeps_registered_models_files_and_completed_batches(tmp_path: Path) -> None:
    async with serve_legacy(tmp_path) as client:
        model = (await client.post("/v1/models", json={"model_id": "org/kept", "metadata": {"k": "v"}})).json()
        uploaded = await upload_file(client, b"kept bytes\x00\xff", purpose="assistants")
        created = await create_batch(client, jsonl([batch_line("only", "org/kept", "hello again")]))
        batch = await wait_for_batch(client, created["id"])
        assert batch["status"] == "completed"
        files_before = (await client.get("/v1/files")).json()

    async with serve_legacy(tmp_path) as client:
        assert (await client.get("/v1/models/org%2Fkept")).json() == model
        assert [m["id"] for m in (await client.get("/v1/models")).json()["data"]][-1] == "org/kept"
        assert (await client.get(f"/v1/files/{uploaded['id']}")).json() == uploaded
        assert await file_content(client, uploaded["id"]) == b"kept bytes\x00\xff"
        assert (await client.get("/v1/files")).json() == files_before
        assert (await client.get(f"/v1/batches/{batch['id']}")).json() == batch
        assert (await client.get("/v1/batches")).json()["data"] == [batch]
        output = read_jsonl(await file_content(client, batch["output_file_id"]))
        assert [line["response"]["body"]["choices"][0]["message"]["content"] for line in output] == ["hello again"]


async def test_restart_keeps_deletions(tmp_path: Path) -> None:
    async with serve_legacy(tmp_path) as client:
        await client.post("/v1/models", json={"model_id": "gone"})
        uploaded = await upload_file(client, b"x")
        assert (await client.delete("/v1/models/gone")).status_code == 204
        assert (await client.delete(f"/v1/files/{uploaded['id']}")).status_code == 200

    async with serve_legacy(tmp_path) as client:
        assert (await client.get("/v1/models/gone")).status_code == 404
        assert (await client.get(f"/v1/files/{uploaded['id']}")).status_code == 404


async def test_restart_runs_again_a_batch_left_in_progress(tmp_path: Path) -> None:
    lines = [batch_line(f"slow-{n}", "slow-echo", "one two three") for n in range(6)]
    async with serve_legacy(tmp_path) as client:
        created = await create_batch(client, jsonl(lines))
        stopped = await wait_for_batch(client, created["id"], lambda b: b["request_counts"]["completed"] >= 1)
        assert stopped["status"] == "in_progress"

    async with serve_legacy(tmp_path) as client:
        batch = await wait_for_batch(client, created["id"])

        assert batch["status"] == "completed"
        assert batch["request_counts"] == {"total": 6, "completed": 6, "failed": 0}
        output = read_jsonl(await file_content(client, batch["output_file_id"]))
        assert [line["custom_id"] for line in output] == [f"slow-{n}" for n in range(6)]


async def test_restart_finishes_a_cancellation_the_stopped_server_left(tmp_path: Path) -> None:
    lines = [batch_line(f"slow-{n}", "slow-echo", "one two three four five") for n in range(30)]
    async with serve_legacy(tmp_path) as client:
        created = await create_batch(client, jsonl(lines))
        await wait_for_batch(client, created["id"], lambda b: b["status"] == "in_progress")
        assert (await client.post(f"/v1/batches/{created['id']}/cancel")).json()["status"] == "cancelling"

    async with serve_legacy(tmp_path) as client:
        batch = (await client.get(f"/v1/batches/{created['id']}")).json()

        assert batch["status"] == "cancelled"
        assert batch["cancelled_at"] is not None
