from __future__ import annotations

from pathlib import Path

import pytest

from apis.storage.directories import held_directory
from tests.captured_logs import captured_logs

pytestmark = pytest.mark.anyio

PREFIX = ".upload-"


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    directory = tmp_path / "files"
    directory.mkdir()
    (directory / "file-kept").write_bytes(b"a stored file")
    (directory / ".other-hidden").write_bytes(b"not ours to remove")
    return directory


async def test_held_directory_removes_what_a_crash_left_half_written(directory: Path) -> None:
    (directory / f"{PREFIX}abc123").write_bytes(b"x" * 4096)
    (directory / f"{PREFIX}def456").write_bytes(b"")

    with captured_logs() as logs:
        async with held_directory(directory, PREFIX):
            assert {path.name for path in directory.iterdir()} == {"file-kept", ".other-hidden"}

    assert logs == [
        {
            "event": "partial_files_removed",
            "log_level": "warning",
            "directory": str(directory),
            "files": [f"{PREFIX}abc123", f"{PREFIX}def456"],
            "bytes": 4096,
        }
    ]


async def test_held_directory_with_nothing_left_over_logs_nothing(directory: Path) -> None:
    with captured_logs() as logs:
        async with held_directory(directory, PREFIX):
            pass
    assert logs == []


async def test_held_directory_leaves_files_another_holder_may_be_writing(directory: Path) -> None:
    async with held_directory(directory, PREFIX):
        # What a running worker writes while another worker starts.
        (directory / f"{PREFIX}being-written").write_bytes(b"half")
        async with held_directory(directory, PREFIX):
            assert (directory / f"{PREFIX}being-written").exists()
        assert (directory / f"{PREFIX}being-written").exists()

    # Once nobody holds the directory, the next start removes it.
    async with held_directory(directory, PREFIX):
        assert not (directory / f"{PREFIX}being-written").exists()
