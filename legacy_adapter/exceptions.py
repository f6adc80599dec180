"""Errors the adapter raises while building an app (never while serving one).

AdapterError
├── ProtocolDefinitionError   the protocol's webmethod metadata is unusable
└── ImplementationError       the implementation lacks a method the protocol routes
"""

from __future__ import annotations


class AdapterError(Exception):
    """Base class of the adapter's build-time errors."""


class ProtocolDefinitionError(AdapterError):
    """A webmethod record lacks the fields the adapter reads, or what is served is no protocol."""


class ImplementationError(AdapterError):
    """The implementation does not provide a method the protocol routes."""
