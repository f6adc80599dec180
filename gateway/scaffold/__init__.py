"""`gateway scaffold`: an API's service protocol, request models and router, written from its legacy protocol.

The legacy side is read through the adapter's own rules (`legacy_routes`), the protocol's
methods from their source (`source`); `plan` works out every file before any is written,
and `files` writes them, formatted by the project's own ruff settings.
"""

from gateway.scaffold.files import Written, scaffold_files, shown
from gateway.scaffold.legacy_routes import served_routes

__all__ = ["Written", "scaffold_files", "served_routes", "shown"]
