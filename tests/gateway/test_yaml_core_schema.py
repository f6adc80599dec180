from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from gateway.exceptions import FlagsError
from gateway.flags_file import load_flags_yaml

PATH = Path("config/migration.yaml")


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        pytest.param("yes", "yes", id="yes-is-a-string"),
        pytest.param("on", "on", id="on-is-a-string"),
        pytest.param("No", "No", id="no-is-a-string"),
        pytest.param("True", True, id="true"),
        pytest.param("FALSE", False, id="false"),
        pytest.param("~", None, id="tilde"),
        pytest.param("", None, id="empty"),
        pytest.param("010", 10, id="leading-zero-is-decimal"),
        pytest.param("0o10", 8, id="octal"),
        pytest.param("0x1F", 31, id="hex"),
        pytest.param("-12", -12, id="negative"),
        pytest.param("1e3", 1000.0, id="exponent"),
        pytest.param(".5", 0.5, id="leading-dot"),
        pytest.param("-.inf", float("-inf"), id="minus-infinity"),
        pytest.param("12:30", "12:30", id="no-sexagesimal"),
        pytest.param("!!int '7'", 7, id="explicit-int"),
        pytest.param("!!str 5", "5", id="explicit-str"),
    ],
)
def test_flag_file_scalars_are_typed_as_the_editor_types_them(scalar: str, value: object) -> None:
    text = f"percent: {scalar}\n"
    assert load_flags_yaml(text, PATH) == {"percent": value}
    # ruamel.yaml reads YAML 1.2 too: `gateway flags set` edits what the server reads.
    assert YAML(typ="safe").load(text) == {"percent": value}


def test_flag_file_explicit_int_that_is_not_one_names_the_line() -> None:
    with pytest.raises(FlagsError, match=r"YAML syntax error at line 2, column 4: 'ten' is not an integer"):
        load_flags_yaml("a: 1\nb: !!int ten\n", PATH)
