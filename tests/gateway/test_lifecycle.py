from __future__ import annotations

from pathlib import Path

import pytest

from gateway.exceptions import SettingError
from gateway.lifecycle import prepare_data_dir


def test_data_dir_missing_is_created_with_its_parents(tmp_path: Path) -> None:
    prepare_data_dir(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SettingError) as caught:
        prepare_data_dir(tmp_path / "a-file")
    assert caught.value.setting == "data_dir"
    assert caught.value.problem.startswith("is not a directory")


def test_data_dir_under_a_file_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SettingError) as caught:
        prepare_data_dir(tmp_path / "a-file" / "data")
    assert caught.value.problem.startswith("cannot create it (Not a directory)")


def test_data_dir_the_server_cannot_write_to_is_refused(unwritable_dir: Path) -> None:
    with pytest.raises(SettingError) as caught:
        prepare_data_dir(unwritable_dir)
    assert caught.value.setting == "data_dir"
    assert caught.value.problem.startswith("cannot write there (Permission denied)")
