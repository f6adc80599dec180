from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from gateway.exceptions import SettingError
from gateway.settings import ServerSettings, setting_error_message, validation_message


def test_settings_defaults_match_the_documented_ones() -> None:
    settings = ServerSettings()
    assert (settings.host, settings.port, settings.apis) == ("127.0.0.1", 8321, "apis")
    assert settings.data_dir == Path(".data")
    assert settings.max_body_size == 100 * 1024 * 1024
    assert (settings.max_header_size, settings.header_timeout, settings.graceful_timeout) == (64 * 1024, 10.0, 30)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("GATEWAY_MAX_HEADER_SIZE", "0", id="max-header-size-zero"),
        pytest.param("GATEWAY_HEADER_TIMEOUT", "-1", id="header-timeout-negative"),
        pytest.param("GATEWAY_GRACEFUL_TIMEOUT", "soon", id="graceful-timeout-not-a-number"),
    ],
)
def test_settings_refuse_a_bad_limit_naming_it(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.removeprefix("GATEWAY_").lower()):
        ServerSettings()


def test_settings_read_gateway_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "9000")
    monkeypatch.setenv("GATEWAY_DATA_DIR", "/var/lib/gw")
    settings = ServerSettings()
    assert settings.port == 9000
    assert settings.data_dir == Path("/var/lib/gw")


def test_settings_explicit_arguments_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "9000")
    assert ServerSettings(port=9100).port == 9100


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        ServerSettings().port = 1


def _error(monkeypatch: pytest.MonkeyPatch, command_line: dict[str, Any], environment: dict[str, str]) -> str:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        ServerSettings(**{k: v for k, v in command_line.items() if v is not None})
    return validation_message(caught.value, command_line)


def test_settings_error_names_the_option_given_on_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, {"workers": 0}, {})
    assert message == "--workers 0: input should be greater than or equal to 1"


def test_settings_error_names_the_variable_a_value_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, {"port": None}, {"GATEWAY_PORT": "abc"})
    assert message == (
        "GATEWAY_PORT='abc' (--port): input should be a valid integer, unable to parse string as an integer"
    )


def test_settings_error_names_the_option_when_it_overrides_a_good_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, {"port": 70000}, {"GATEWAY_PORT": "9000"})
    assert message == "--port 70000: input should be less than or equal to 65535"


def test_settings_errors_of_several_settings_stay_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, {"workers": 0}, {"GATEWAY_LOG_FORMAT": "xml"})
    assert "\n" not in message
    assert "--workers 0: input should be greater than or equal to 1" in message
    assert "GATEWAY_LOG_FORMAT='xml' (--log-format): input should be 'json' or 'console'" in message


def test_setting_error_names_the_setting_with_the_value_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "8400")
    error = SettingError("port", "already in use on 127.0.0.1; choose another port")
    message = setting_error_message(error, ServerSettings(), {"port": None})
    assert message == "GATEWAY_PORT='8400' (--port): already in use on 127.0.0.1; choose another port"


def test_the_database_url_is_left_out_of_the_settings_repr() -> None:
    assert "secret" not in repr(ServerSettings(database="postgresql://gw:secret@db/gw"))
