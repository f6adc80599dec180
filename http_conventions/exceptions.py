"""Exceptions an implementation raises to be answered by their own row of the error table.

Besides the builtins the table names (`http_conventions.error_table`)::

    Exception
    ├── ValueError
    │   ├── ConflictError            -> 409
    │   └── ResourceNotFoundError    -> 404
    └── AuthenticationRequiredError  -> 401
"""

from __future__ import annotations


class ConflictError(ValueError):
    """The request conflicts with the current state of a resource (HTTP 409)."""


class ResourceNotFoundError(ValueError):
    """A named resource does not exist (HTTP 404)."""

    def __init__(self, kind: str, resource_id: str) -> None:
        super().__init__(f"{kind} '{resource_id}' not found")
        self.kind = kind
        self.resource_id = resource_id


class AuthenticationRequiredError(Exception):
    """The request needs an authenticated user (HTTP 401)."""
