from __future__ import annotations

import os
from pathlib import Path

import pytest

from gateway.metrics import MULTIPROCESS_DIRECTORY, shared_across_workers


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
