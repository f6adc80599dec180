"""Strangler Gateway: serve each API from its legacy or its migrated side."""

from gateway.__about__ import __version__
from gateway.registry import ApiContext, ApiRegistration, ApiRegistry

__all__ = ["ApiContext", "ApiRegistration", "ApiRegistry", "__version__"]
