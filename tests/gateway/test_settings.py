from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.settings import ServerSettings


def test_settings_defaults_match_the_documented_ones() -> None:
    settings = ServerSettings()
    assert (settings.host, settings.port, settings.apis) == ("127.0.0.1", 8321, "apis")
    assert settings.data_dir == Path(".data")
    assert settings.max_body_size == 100 * 1024 * 1024


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
