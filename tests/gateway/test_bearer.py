from __future__ import annotations

import pytest
from starlette.types import Scope

from gateway.bearer import Refusal, bearer_token, is_bearer_token


def _scope(*authorization: bytes) -> Scope:
    return {"type": "http", "headers": [(b"authorization", value) for value in authorization]}


@pytest.mark.parametrize(
    ("values", "token"),
    [
        pytest.param([b"Bearer abc.DEF-123_~+/=="], "abc.DEF-123_~+/==", id="every-token-character"),
        pytest.param([b"bearer abc"], "abc", id="scheme-is-case-insensitive"),
        pytest.param([b"Bearer   abc  "], "abc", id="extra-spaces"),
    ],
)
def test_bearer_token_reads_the_authorization_header(values: list[bytes], token: str) -> None:
    assert bearer_token(_scope(*values)) == token


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param([], "Authentication required: send 'Authorization: Bearer <token>'.", id="missing"),
        pytest.param([b""], "expected 'Bearer <token>'", id="empty-header"),
        pytest.param([b"Basic YWRhOnNlY3JldA=="], "expected 'Bearer <token>'", id="other-scheme"),
        pytest.param([b"Bearer"], "the bearer token is empty", id="no-token"),
        pytest.param([b"Bearer "], "the bearer token is empty", id="empty-token"),
        pytest.param([b"Bearer a b"], "characters a token cannot have", id="space-inside"),
        pytest.param([b"Bearer caf\xe9"], "characters a token cannot have", id="not-ascii"),
        pytest.param([b"Bearer a", b"Bearer b"], "one Authorization header, not several", id="two-headers"),
        pytest.param([b"Bearertoken"], "expected 'Bearer <token>'", id="no-space"),
    ],
)
def test_bearer_token_malformed_header_is_a_401_saying_why(values: list[bytes], message: str) -> None:
    with pytest.raises(Refusal) as refusal:
        bearer_token(_scope(*values))
    assert refusal.value.status == 401
    assert message in refusal.value.message


def test_bearer_token_characters_are_rfc_6750s() -> None:
    assert is_bearer_token("a-Z_0.9~+/==")
    assert not is_bearer_token("a=b")
    assert not is_bearer_token("abc\n")
    assert not is_bearer_token("")
