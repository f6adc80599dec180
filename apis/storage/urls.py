"""Database URLs as they may be shown: in an error, a log line or the providers listing."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"


def masked(url: str) -> str:
    """`url` with its password replaced by ``***``, in the user part or a query parameter (libpq takes both).

    ``postgresql://gw:***@db:5432/gw``, ``postgresql://gw@db/gw?password=***``
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        # Not parseable (an unclosed IPv6 bracket): nothing in it can be told apart from a password.
        return MASK
    if parts.password is not None:
        user, _, host = parts.netloc.rpartition("@")
        parts = parts._replace(netloc=f"{user.partition(':')[0]}:{MASK}@{host}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "password" for name, _ in query):
        hidden = [(name, MASK if name == "password" else value) for name, value in query]
        parts = parts._replace(query=urlencode(hidden, safe="*/:=-"))
    return urlunsplit(parts)


def scheme(url: str) -> str:
    """The scheme of `url` in lower case (``postgresql``), empty when it has none or is no URL."""
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""
