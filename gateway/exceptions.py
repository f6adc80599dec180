"""Errors the gateway reports to the person running it.

GatewayError
├── ApiModuleError        --apis names a module or attribute that is not a registry
├── ApiDependencyError    an implementation needs another API's, which has not started before it
├── UnknownApiError       a name that no registered API has (with the closest one)
├── FlagsError            the flag file is unreadable or invalid (with the key at fault)
├── SettingError          a server setting the gateway cannot start with (a taken port, say)
├── ApisNotStartedError   the worker could not start the APIs (the `apis_not_started` log line says why)
├── ApiStartupError       raised by an implementation whose message says in full why it cannot start
├── AuthConfigError       --auth names no usable tokens file or provider (file and key)
├── AuthDeclarationError  a route declares a security requirement the gateway cannot enforce
├── AuthMismatchError     with --auth on, a route's two sides require different things
├── ContractInputError    gateway diff was given a document or ignore file it cannot read
└── ScaffoldError         gateway scaffold cannot write an API's router (the method and parameter at fault)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

MAX_MESSAGE_CHARS = 1024
"""The longest message a flag file can put in a log line, the status or a terminal."""


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `name`, if any is close enough to be a typo."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A ``did you mean 'x'?`` suffix for a message, or an empty string."""
    suggestion = closest(name, candidates)
    return f" (did you mean {suggestion!r}?)" if suggestion else ""


def capped(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`message`, cut to at most `limit` characters with an ellipsis when it is longer.

    The text of a file or a request can end up in a message; its size must not.
    """
    if len(message) <= limit:
        return message
    suffix = f"… [{len(message):,} characters in all]"
    return message[: limit - len(suffix)] + suffix


class GatewayError(Exception):
    """Base class of errors that stop the gateway with a message a person can act on."""


class ApiModuleError(GatewayError):
    """The module given with --apis cannot be imported or has no registry."""


class ApiDependencyError(GatewayError):
    """An implementation asked for another API's implementation that no API started before it provides."""


class UnknownApiError(GatewayError, KeyError):
    """No API of that name is registered."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        known = sorted(known)
        super().__init__(f"unknown API {name!r}{did_you_mean(name, known)}; registered: {', '.join(known)}")
        self.name = name

    def __str__(self) -> str:
        return str(self.args[0])


class FlagsError(GatewayError):
    """The flag file is unreadable or invalid; `key` is the dotted key at fault, if one is.

    The message is capped (`capped`): it quotes what the file says, and a file can say a lot.
    """

    def __init__(self, path: Path, key: str | None, problem: str) -> None:
        where = f"{path}: {key}: " if key else f"{path}: "
        super().__init__(capped(where + problem))
        self.path = path
        self.key = key
        self.problem = capped(problem)


class SettingError(GatewayError):
    """The server cannot start with a setting: `setting` is its `ServerSettings` field, `problem` why and the fix."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem


class ApisNotStartedError(GatewayError):
    """The worker could not start the APIs: an implementation or an app failed to build."""


class ApiStartupError(GatewayError):
    """An implementation cannot start for a reason its message states in full (a database it cannot reach, say).

    Implementations raise it, or a subclass, for what the person running the server must fix: the
    `apis_not_started` log line then carries the message, and no traceback follows it.
    """


class AuthConfigError(GatewayError):
    """The --auth value names no usable tokens file or provider."""


class AuthDeclarationError(GatewayError):
    """A route declares a security requirement the gateway cannot enforce."""


class AuthMismatchError(GatewayError):
    """With --auth on, routes whose legacy and migrated sides require different things."""

    def __init__(self, differences: Iterable[object]) -> None:
        lines = [f"  {difference}" for difference in differences]
        super().__init__(
            "--auth: these routes require different things on their two sides, so a flip would change who "
            "gets in; declare the same requirement on both:\n" + "\n".join(lines)
        )


class ContractInputError(GatewayError):
    """`gateway diff` cannot read a document or an ignore file; the message names the file and the place."""


class ScaffoldError(GatewayError):
    """`gateway scaffold` cannot write a router for the API; the message names the method, parameter or file."""
