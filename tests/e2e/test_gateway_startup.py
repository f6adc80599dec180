"""`gateway serve` refuses to start on a flag file it cannot follow: a message on stderr, exit status 2."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.gateway_process import parse_json_lines, serve_expecting_failure

# Validation happens before uvicorn starts; anything near the start-up deadline means it served.
QUICK_EXIT_SECONDS = 10.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "default: legacy\napis:\n  modles: migrated\n",
            ["apis.modles: unknown API 'modles' (did you mean 'models'?)"],
            id="unknown-api",
        ),
        pytest.param(
            "default: legacy\napis:\n  models: migratd\n",
            ["apis.models: unknown mode 'migratd' (did you mean 'migrated'?)"],
            id="unknown-mode",
        ),
        pytest.param(
            "default: legacy\napis:\n  models: migrated\n   inference: legacy\n",
            ["YAML syntax error at line 4"],
            id="yaml-syntax-error",
        ),
        pytest.param(
            "default: legacy\napis:\n  providers: migrated\n",
            ["apis.providers:", "no router"],
            id="migrated-without-a-router",
        ),
        pytest.param(
            'apis:\n  models:\n    mode: migrated\n    routes:\n      "GET /v1/models/{model_id}": legacy\n',
            ["unknown route 'GET /v1/models/{model_id}'", "(did you mean 'GET /v1/models/{model_id:path}'?)"],
            id="unknown-route-key",
        ),
        pytest.param("", ["the file is empty"], id="empty-file"),
        pytest.param(None, ["no such file"], id="missing-file"),
    ],
)
def test_gateway_serve_refuses_an_invalid_flag_file(text: str | None, expected: list[str], tmp_path: Path) -> None:
    flags = tmp_path / "flags.yaml"
    if text is not None:
        flags.write_text(text)

    started = time.monotonic()
    result = serve_expecting_failure(flags, tmp_path)
    elapsed = time.monotonic() - started

    assert result.returncode == 2, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.stderr.startswith(f"error: {flags}: "), result.stderr
    for fragment in expected:
        assert fragment in result.stderr
    assert elapsed < QUICK_EXIT_SECONDS
    assert not [line for line in parse_json_lines(result.stdout) if line.get("event") == "flags_loaded"]
    assert "Uvicorn running" not in result.stdout
