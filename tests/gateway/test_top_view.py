from __future__ import annotations

from typing import Any

from rich.console import Console

from gateway.top_view import view


def _side(requests: int, server_errors: int = 0) -> dict[str, Any]:
    return {"requests": requests, "4xx": 0, "5xx": server_errors, "p50_ms": 1.5 if requests else None, "p99_ms": None}


STATUS: dict[str, Any] = {
    "flags": {
        "path": "/etc/gateway/flags.yaml",
        "sha256": "0123456789abcdef" * 4,
        "loaded_at": "2026-01-01T00:00:00Z",
        "error": "apis.files: unknown mode 'shadw'",
        "rejected_at": "2026-01-01T00:01:00Z",
    },
    "default": "legacy",
    "workers": 2,
    "apis": {
        "models": {
            "mode": "canary",
            "routes": {
                "GET /v1/models": {
                    "backend": "canary",
                    "stats": {"legacy": _side(30), "migrated": _side(10, server_errors=4)},
                    "canary": {
                        "percent": 25.0,
                        "sticky": "header:x-user-id",
                        "rolled_back": {"at": "2026-01-01T00:02:00Z", "rule": "max_5xx_ratio", "observed": {}},
                    },
                }
            },
        },
        "files": {
            "mode": "shadow",
            "routes": {
                "GET /v1/files": {
                    "backend": "legacy",
                    "mode": "shadow",
                    "stats": {"legacy": _side(4), "migrated": _side(0)},
                    "shadow": {
                        "compared": 4,
                        "matched": 3,
                        "mismatched": 1,
                        "skipped": 0,
                        "last_mismatch": {"request_id": "r1", "at": "t", "diff": "$.data[0].bytes: 5 | 6"},
                    },
                }
            },
        },
    },
}


def _text(status: dict[str, Any]) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(view(status))
    return console.export_text()


def test_view_shows_flags_rejection_shares_shadow_diff_and_rollback() -> None:
    text = _text(STATUS)
    assert "/etc/gateway/flags.yaml" in text and "0123456789ab" in text and "0123456789abc" not in text
    assert "unknown mode 'shadw'" in text
    assert "Workers         2" in text
    assert "models  mode canary" in text and "legacy 75% (30), migrated 25% (10)" in text
    assert "25.0% header:x-user-id rolled back (max_5xx_ratio)" in text
    assert "75.0% (3/4)" in text and "$.data[0].bytes: 5 | 6" in text


def test_an_api_without_requests_says_so() -> None:
    quiet = {
        **STATUS,
        "apis": {
            "files": {
                "mode": "legacy",
                "routes": {
                    "GET /v1/files": {
                        "backend": "legacy",
                        "reason": "default",
                        "stats": {"legacy": _side(0), "migrated": _side(0)},
                    }
                },
            }
        },
    }
    text = _text(quiet)
    assert "no requests yet" in text and "shadow" not in text
