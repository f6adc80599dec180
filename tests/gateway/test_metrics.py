from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import apis
from gateway.app import GatewayApp
from gateway.flags import FlagFile
from gateway.metrics import MULTIPROCESS_DIRECTORY, method_label, shared_across_workers
from gateway.settings import ServerSettings


@pytest.fixture(autouse=True)
def _no_multiprocess_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROCESS_DIRECTORY, raising=False)


def test_metrics_of_one_worker_stay_in_memory() -> None:
    with shared_across_workers(1):
        assert MULTIPROCESS_DIRECTORY not in os.environ


def test_metrics_directory_of_several_workers_is_removed_when_they_stop() -> None:
    with shared_across_workers(2):
        directory = Path(os.environ[MULTIPROCESS_DIRECTORY])
        (directory / "counter_1234.db").write_bytes(b"written by a worker")
    assert not directory.exists()
    assert MULTIPROCESS_DIRECTORY not in os.environ


def test_metrics_directory_is_removed_when_serving_fails() -> None:
    with pytest.raises(RuntimeError), shared_across_workers(2):
        directory = Path(os.environ[MULTIPROCESS_DIRECTORY])
        raise RuntimeError("a worker could not start")
    assert not directory.exists()


def test_metrics_directory_chosen_by_the_operator_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MULTIPROCESS_DIRECTORY, str(tmp_path))
    with shared_across_workers(2):
        assert os.environ[MULTIPROCESS_DIRECTORY] == str(tmp_path)
    assert tmp_path.is_dir()
    assert os.environ[MULTIPROCESS_DIRECTORY] == str(tmp_path)


def _request_series(app: GatewayApp) -> int:
    registry = app.runtime.metrics.registry
    return sum(len(family.samples) for family in registry.collect() if family.name.startswith("gateway_request"))


@pytest.mark.anyio
async def test_made_up_methods_share_one_other_series(tmp_path: Path) -> None:
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path), flags=FlagFile())
    async with app.running():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
            await client.request("MADEUP0", "/v1/nothing")
            one_method = _request_series(app)
            for number in range(1, 50):
                response = await client.request(f"MADEUP{number}", "/v1/nothing")
                assert response.status_code == 404
            text = (await client.get("/metrics")).text
    assert _request_series(app) == one_method
    assert 'method="OTHER",route="(unmatched)",status_class="4xx"} 50.0' in text
    assert "MADEUP" not in text


@pytest.mark.parametrize(
    ("method", "label"),
    [
        pytest.param("PATCH", "PATCH", id="standard"),
        pytest.param("PROPFIND", "OTHER", id="webdav"),
        pytest.param("get", "OTHER", id="lower-case"),
    ],
)
def test_method_label_keeps_only_standard_methods(method: str, label: str) -> None:
    assert method_label(method) == label


def _reloads(exposition: str) -> dict[str, float]:
    return {
        sample.labels["result"]: sample.value
        for family in text_string_to_metric_families(exposition)
        if family.name == "gateway_flags_reloads"
        for sample in family.samples
        if sample.name == "gateway_flags_reloads_total"
    }


async def _reloads_once_counted(client: httpx.AsyncClient, result: str, count: float) -> dict[str, float]:
    async with asyncio.timeout(10):
        while (reloads := _reloads((await client.get("/metrics")).text))[result] < count:
            await asyncio.sleep(0.05)
    return reloads


@pytest.mark.anyio
async def test_flag_reloads_are_counted_by_result(tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("default: legacy\n")
    app = GatewayApp(apis.registry, ServerSettings(data_dir=tmp_path / "data"), flags=flags)
    async with app.running(), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        # Every result has its series from the start: an alert on rejections needs one before the first.
        assert _reloads((await client.get("/metrics")).text) == {"loaded": 0, "unchanged": 0, "rejected": 0}
        flags.write_text("default: legacy\napis:\n  models: migrated\n")
        assert await _reloads_once_counted(client, "loaded", 1) == {"loaded": 1, "unchanged": 0, "rejected": 0}
        assert (await client.get("/v1/models")).headers["x-gateway-backend"] == "migrated"
        os.utime(flags, ns=(0, 0))
        assert await _reloads_once_counted(client, "unchanged", 1) == {"loaded": 1, "unchanged": 1, "rejected": 0}
        flags.write_text("apis:\n  models: sideways\n")
        assert await _reloads_once_counted(client, "rejected", 1) == {"loaded": 1, "unchanged": 1, "rejected": 1}
        assert (await client.get("/v1/models")).headers["x-gateway-backend"] == "migrated"
