"""Errors opening the database, each naming the URL with its password masked.

StorageError
├── DatabaseUrlError          --database is not a URL the APIs can use (a scheme they do not know, say)
└── DatabaseUnavailableError  the database named cannot be reached or refused the connection
"""

from __future__ import annotations

from apis.storage.urls import masked
from gateway.exceptions import ApiStartupError


class StorageError(ApiStartupError):
    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"database {masked(url)}: {problem}")
        self.url = masked(url)
        self.problem = problem


class DatabaseUrlError(StorageError):
    pass


class DatabaseUnavailableError(StorageError):
    pass
