"""The `@webmethod` routing system and the adapter that serves it as the old server did."""

from legacy_adapter.app import create_legacy_app
from legacy_adapter.discovery import WebRoute, discover_routes, served_method
from legacy_adapter.docstrings import Docstring, parse_docstring
from legacy_adapter.exceptions import AdapterError, ImplementationError, ProtocolDefinitionError
from legacy_adapter.protocols import Nested, Protocols
from legacy_adapter.webmethod import LEVELS, Level, WebMethod, webmethod

__all__ = [
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
