"""Who a bearer token belongs to: a tokens file, or a team's own provider.

`gateway serve --auth FILE` reads tokens from YAML::

    tokens:
      "3f9c...e1":                      # the token, as clients send it
        user: ada
        scopes: [models:write]
      "77b0...4a":
        user: batch-runner              # any authenticated route, no scope

`gateway serve --auth MODULE:CALLABLE` asks a team's provider instead. It is called with
the token and the request (headers, client, path; not the body) and returns the user and
scopes (an `Identity`, or a mapping with `user` and `scopes`), or None to refuse::

    async def authenticate(token: str, request: Request) -> Identity | None:
        claims = await my_idp.introspect(token)
        return Identity(user=claims["sub"], scopes=claims["scope"].split()) if claims else None

A plain function works too and runs in a worker thread, so a blocking call cannot stall
the server. A provider that raises or returns anything else is a failure, never a pass.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from uvicorn.importer import ImportFromStringError, import_from_string

from gateway.bearer import TOKEN_CHARACTERS, is_bearer_token
from gateway.exceptions import AuthConfigError, did_you_mean


class Identity(BaseModel):
    """The user a token belongs to and the scopes it grants."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user: str = Field(min_length=1, description="The name the request context and the request log carry.")
    scopes: frozenset[str] = Field(default=frozenset(), description="What the token may do beyond authenticating.")


class Authenticator(Protocol):
    """Turns a bearer token into an identity, or None for a token it does not accept."""

    async def authenticate(self, token: str, request: Request) -> Identity | None: ...


class _TokensFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tokens: dict[str, Identity] = Field(min_length=1)


def _digest(token: str) -> bytes:
    # Looked up by digest: a lookup's timing then says nothing about the stored tokens.
    return hashlib.sha256(token.encode()).digest()


class TokenFileAuthenticator:
    """The tokens of a YAML file (`--auth FILE`), read once at start-up."""

    def __init__(self, identities: Mapping[str, Identity]) -> None:
        self._by_digest = {_digest(token): identity for token, identity in identities.items()}

    @classmethod
    def from_file(cls, path: Path) -> TokenFileAuthenticator:
        return cls(read_tokens_file(path))

    async def authenticate(self, token: str, request: Request) -> Identity | None:
        return self._by_digest.get(_digest(token))


class CallableAuthenticator:
    """A team's provider (`--auth MODULE:CALLABLE`); a plain function runs in a worker thread."""

    def __init__(self, provider: Callable[[str, Request], Any]) -> None:
        self._provider = provider
        # An `async def` function, or an object whose `__call__` is one.
        self._is_async = inspect.iscoroutinefunction(provider) or inspect.iscoroutinefunction(type(provider).__call__)

    async def authenticate(self, token: str, request: Request) -> Identity | None:
        if self._is_async:
            result = await self._provider(token, request)
        else:
            result = await run_in_threadpool(self._provider, token, request)
        if result is None:
            return None
        try:
            return Identity.model_validate(result)
        except ValidationError as exc:
            raise TypeError(f"the --auth provider returned {result!r}, not None or a user and scopes") from exc


def load_authenticator(spec: str) -> Authenticator:
    """The authenticator `--auth` names: a tokens file, else ``module:callable``."""
    path = Path(spec)
    if path.is_file():
        return TokenFileAuthenticator.from_file(path)
    if ":" not in spec:
        raise AuthConfigError(f"--auth {spec}: no such file (and not a '<module>:<callable>' provider)")
    try:
        provider = import_from_string(spec)
    except ImportFromStringError as exc:
        raise AuthConfigError(f"--auth {spec}: {exc}") from exc
    if not callable(provider):
        raise AuthConfigError(f"--auth {spec}: {type(provider).__name__} is not callable")
    return CallableAuthenticator(provider)


def read_tokens_file(path: Path) -> dict[str, Identity]:
    """The tokens of a tokens file by token; `AuthConfigError` naming the file and key if it is bad."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthConfigError(f"{path}: cannot read the tokens file: {exc}") from exc
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except DuplicateKeyError as exc:
        # ruamel's own message quotes the key, and here the key is a secret.
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise AuthConfigError(f"{path}: line {line}: a key is written twice") from exc
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise AuthConfigError(f"{path}: YAML syntax error at {where}: {exc.problem}") from exc
    except YAMLError as exc:
        raise AuthConfigError(f"{path}: YAML error: {exc}") from exc
    if not isinstance(data, dict):
        raise AuthConfigError(f'{path}: the file must be a mapping: tokens: {{"<token>": {{user: NAME, scopes: []}}}}')
    try:
        tokens = _TokensFile.model_validate(data).tokens
    except ValidationError as exc:
        raise _tokens_error(path, data, exc) from exc
    for position, (token, identity) in enumerate(tokens.items(), start=1):
        if not is_bearer_token(token):
            where = _entry_name(position, identity.user)
            raise AuthConfigError(
                f"{path}: {where}: a client could never send this token; a token is {TOKEN_CHARACTERS}"
            )
    return tokens


def _entry_name(position: int, user: object) -> str:
    # Entries are named by position and user: the token itself is a secret.
    return f"tokens[{position}] (user {user!r})" if isinstance(user, str) else f"tokens[{position}]"


_ALLOWED = {1: ("tokens",), 3: tuple(Identity.model_fields)}


def _tokens_error(path: Path, data: dict[Any, Any], exc: ValidationError) -> AuthConfigError:
    # An unknown key explains the missing one that comes with it: report it first.
    error = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    loc = list(error["loc"])
    entries = list(data.get("tokens") or {}) if isinstance(data.get("tokens"), dict) else []
    if len(loc) >= 2 and loc[0] == "tokens":
        token = loc[1]
        position = entries.index(token) + 1 if token in entries else 0
        entry = data["tokens"].get(token)
        user = entry.get("user") if isinstance(entry, dict) else None
        loc[:2] = [_entry_name(position, user)]
        if len(loc) > 1 and loc[1] == "[key]":
            return AuthConfigError(f"{path}: {loc[0]}: the token must be a string; put it in quotes")
    key = ".".join(str(part) for part in loc) or "tokens"
    if error["type"] == "extra_forbidden":
        unknown = str(error["loc"][-1])
        allowed = _ALLOWED.get(len(error["loc"]), ())
        return AuthConfigError(
            f"{path}: {key}: unknown key {unknown!r}{did_you_mean(unknown, allowed)}; allowed: {', '.join(allowed)}"
        )
    if error["type"] == "missing":
        return AuthConfigError(f"{path}: {key}: missing")
    if error["type"] == "too_short" and loc == ["tokens"]:
        return AuthConfigError(f"{path}: tokens: no tokens, so no authenticated route would let anyone in")
    return AuthConfigError(f"{path}: {key}: {error['msg']}")
