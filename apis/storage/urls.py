"""Database URLs as they may be shown: in an error, a log line or the providers listing."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

MASK = "***"


def masked(url: str) -> str:
    """`url` with its password, if it has one, replaced by ``***``: postgresql://gw:***@db:5432/gw."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        # Not parseable (an unclosed IPv6 bracket, a port that is no number): nothing in it can be told apart.
        return MASK
    if password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{name}:{MASK}@{host}"))


def scheme(url: str) -> str:
    """The scheme of `url` in lower case (``postgresql``), empty when it has none or is no URL."""
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""
