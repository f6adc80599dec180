from __future__ import annotations

import pytest

from http_conventions import ConventionRouter, create_router_app, declared_auth, public, requires_scope


def test_declared_auth_maps_webmethod_fields_to_a_declaration() -> None:
    assert declared_auth() == {}
    assert declared_auth(required_scope="models:write") == {"security": [{"bearer": ["models:write"]}]}
    # The old server let such a route through unchecked, whatever scope it named.
    assert declared_auth(require_authentication=False, required_scope="models:write") == {"security": []}


@pytest.mark.parametrize("scope", ["", " models:write", "models write"])
def test_requires_scope_refuses_a_scope_no_token_could_carry(scope: str) -> None:
    with pytest.raises(ValueError, match="a scope must be a non-empty word"):
        requires_scope(scope)


def test_router_document_says_who_may_call_each_operation() -> None:
    router = ConventionRouter()

    @router.get("/v1/health", openapi_extra=public())
    async def health() -> None: ...

    @router.delete("/v1/things", openapi_extra=requires_scope("things:write"))
    async def delete_things() -> None: ...

    @router.get("/v1/things")
    async def list_things() -> None: ...

    document = create_router_app(router, object(), title="things").openapi()
    assert document["components"]["securitySchemes"] == {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token the server knows, sent as `Authorization: Bearer <token>`.",
        }
    }
    assert document["security"] == [{"bearer": []}]
    assert document["paths"]["/v1/health"]["get"]["security"] == []
    assert document["paths"]["/v1/things"]["delete"]["security"] == [{"bearer": ["things:write"]}]
    assert "security" not in document["paths"]["/v1/things"]["get"]
