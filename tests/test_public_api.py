from __future__ import annotations

import gateway
import http_conventions
import legacy_adapter


def test_gateway_public_names() -> None:
    assert gateway.__all__ == ["ApiContext", "ApiRegistration", "ApiRegistry", "__version__"]


def test_legacy_adapter_public_names() -> None:
    assert sorted(legacy_adapter.__all__) == sorted(
        [
            "LEVELS",
            "AdapterError",
            "ApiFilter",
            "Docstring",
            "ImplementationError",
            "Level",
            "ProtocolDefinitionError",
            "WebMethod",
            "WebRoute",
            "create_legacy_app",
            "discover_routes",
            "filter_routes",
            "parse_docstring",
            "served_method",
            "webmethod",
            "webmethod_routes",
        ]
    )
    for name in legacy_adapter.__all__:
        assert hasattr(legacy_adapter, name)


def test_http_conventions_public_names() -> None:
    for name in http_conventions.__all__:
        assert hasattr(http_conventions, name)
    assert "translate_exception" in http_conventions.__all__
