from __future__ import annotations

from pathlib import Path

import pytest
from starlette.requests import Request

from gateway.authenticators import (
    CallableAuthenticator,
    Identity,
    TokenFileAuthenticator,
    load_authenticator,
    read_tokens_file,
)
from gateway.exceptions import AuthConfigError

REQUEST = Request({"type": "http", "headers": []})


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tokens.yaml"
    path.write_text(text)
    return path


def test_tokens_file_gives_each_tokens_user_and_scopes(tmp_path: Path) -> None:
    path = _file(
        tmp_path, 'tokens:\n  "s3cret-1":\n    user: ada\n    scopes: [models:write]\n  s3cret-2: {user: bob}\n'
    )
    assert read_tokens_file(path) == {
        "s3cret-1": Identity(user="ada", scopes=frozenset({"models:write"})),
        "s3cret-2": Identity(user="bob"),
    }


@pytest.mark.anyio
async def test_tokens_file_authenticator_knows_only_its_tokens(tmp_path: Path) -> None:
    authenticator = TokenFileAuthenticator.from_file(_file(tmp_path, "tokens:\n  s3cret: {user: ada}\n"))
    assert await authenticator.authenticate("s3cret", REQUEST) == Identity(user="ada")
    assert await authenticator.authenticate("s3cre", REQUEST) is None
    assert await authenticator.authenticate("", REQUEST) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "tokens:\n  s3cret: {user: ada, scopse: [a]}\n",
            "tokens[1] (user 'ada').scopse: unknown key 'scopse' (did you mean 'scopes'?); allowed: user, scopes",
            id="typo-in-an-entry",
        ),
        pytest.param(
            "tokns:\n  s3cret: {user: ada}\n",
            "tokns: unknown key 'tokns' (did you mean 'tokens'?); allowed: tokens",
            id="typo-at-the-top",
        ),
        pytest.param("tokens:\n  a: {user: ada}\n  b: {scopes: []}\n", "tokens[2].user: missing", id="no-user"),
        pytest.param("tokens:\n  a: {user: ''}\n", "tokens[1] (user '').user: String should have", id="empty-user"),
        pytest.param("tokens: {}\n", "tokens: no tokens", id="no-tokens"),
        pytest.param(
            "tokens:\n  12345: {user: ada}\n",
            "tokens[1] (user 'ada'): the token must be a string; put it in quotes",
            id="number-token",
        ),
        pytest.param('tokens:\n  "": {user: ada}\n', "tokens[1] (user 'ada'): a client could never send", id="empty"),
        pytest.param("tokens:\n  a b: {user: ada}\n", "tokens[1] (user 'ada'): a client could never send", id="space"),
        pytest.param("tokens:\n  s3cret: {user: a}\n  s3cret: {user: b}\n", "line 3: a key is written twice", id="dup"),
        pytest.param("tokens: [\n", "YAML syntax error at line 2", id="bad-yaml"),
        pytest.param("", "the file must be a mapping", id="empty-file"),
        pytest.param("- s3cret\n", "the file must be a mapping", id="a-list"),
    ],
)
def test_tokens_file_error_names_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(AuthConfigError) as error:
        read_tokens_file(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)
    # The error never repeats a token: it may end up in a shared log.
    assert "s3cret" not in str(error.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("missing.yaml", "--auth missing.yaml: no such file", id="no-file"),
        pytest.param("no_such_module:authenticate", 'Could not import module "no_such_module"', id="no-module"),
        pytest.param("gateway.bearer:no_such_function", 'Attribute "no_such_function" not found', id="no-attribute"),
        pytest.param("gateway.bearer:TOKEN_CHARACTERS", "str is not callable", id="not-callable"),
    ],
)
def test_load_authenticator_bad_setting_says_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(AuthConfigError, match=message):
        load_authenticator(spec)


def test_load_authenticator_takes_a_file_else_a_callable(tmp_path: Path) -> None:
    path = _file(tmp_path, "tokens:\n  s3cret: {user: ada}\n")
    assert isinstance(load_authenticator(str(path)), TokenFileAuthenticator)
    assert isinstance(load_authenticator("tests.gateway.test_authenticators:_provider"), CallableAuthenticator)


def _provider(token: str, request: Request) -> Identity | None:
    return Identity(user="ada") if token == "s3cret" else None


class _AsyncProvider:
    async def __call__(self, token: str, request: Request) -> dict[str, object]:
        return {"user": "ada", "scopes": ["a"]}


@pytest.mark.anyio
async def test_callable_authenticator_takes_an_identity_or_a_mapping() -> None:
    assert await CallableAuthenticator(_provider).authenticate("s3cret", REQUEST) == Identity(user="ada")
    assert await CallableAuthenticator(_provider).authenticate("other", REQUEST) is None
    identity = await CallableAuthenticator(_AsyncProvider()).authenticate("x", REQUEST)
    assert identity == Identity(user="ada", scopes=frozenset({"a"}))
