from __future__ import annotations

import legacy_adapter


def test_public_names_are_pinned() -> None:
    assert legacy_adapter.__all__ == [
        "LEVELS",
        "AdapterError",
        "Docstring",
        "ImplementationError",
        "Level",
        "Nested",
        "ProtocolDefinitionError",
        "Protocols",
        "WebMethod",
        "WebRoute",
        "create_legacy_app",
        "discover_routes",
        "parse_docstring",
        "served_method",
        "webmethod",
    ]
