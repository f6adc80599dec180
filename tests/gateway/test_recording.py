"""Recording through the gateway app in process: what a full queue drops is counted where an operator looks."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

import apis
from gateway.app import GatewayApp
from gateway.flags import ApiFlags, FlagFile
from gateway.settings import ServerSettings

pytestmark = pytest.mark.anyio

REQUESTS = 20


async def test_exchanges_dropped_by_a_full_queue_show_in_status_and_metrics(tmp_path: Path) -> None:
    records = tmp_path / "records"
    settings = ServerSettings(data_dir=tmp_path / "data", record_dir=records, record_queue=1)
    flags = FlagFile(default="legacy", apis={"models": ApiFlags(mode="legacy", record=1)})
    gateway = GatewayApp(apis.registry, settings, flags=flags)
    writer = gateway.runtime.recording.writer
    # Nothing is sent before a batch fills or a minute passes: the one line the queue holds stays until the end.
    writer.interval = 60
    async with gateway.runtime.running():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gateway") as client:
            answers = await asyncio.gather(*(client.get("/v1/models/echo") for _ in range(REQUESTS)))
            assert {answer.status_code for answer in answers} == {200}
            status = (await client.get("/_gateway/status")).json()
            metrics = (await client.get("/metrics")).text
    assert status["apis"]["models"]["record_dropped"] == REQUESTS - 1
    assert status["apis"]["files"]["record_dropped"] == 0
    assert f'gateway_record_dropped_total{{api="models"}} {REQUESTS - 1}.0' in metrics
    (path,) = records.glob("*.jsonl")
    assert [json.loads(line)["route"] for line in path.read_text().splitlines()] == ["GET /v1/models/{model_id:path}"]
