"""APIs whose protocols a router cannot be generated for, each for one reason `gateway scaffold` must name.

Their legacy sides serve (the adapter takes what the old server took); only the router
cannot say the same thing, so the scaffold refuses, naming the method and the parameter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Protocol

from fastapi import File, UploadFile
from pydantic import BaseModel
from starlette.applications import Starlette

from gateway import ApiContext, ApiRegistry
from legacy_adapter import Nested, Protocols, create_legacy_app, webmethod


class Gadget(BaseModel):
    name: str


class VariadicApi(Protocol):
    @webmethod(route="/gadgets", method="POST")
    async def create_gadget(self, name: str, **options: str) -> Gadget:
        """Create a gadget.

        :param name: Its name.
        """
        ...


class PrivateFieldApi(Protocol):
    @webmethod(route="/gadgets", method="POST")
    async def create_gadget(self, name: str, _token: str) -> Gadget: ...


class ShadowingFieldApi(Protocol):
    @webmethod(route="/gadgets", method="POST")
    async def create_gadget(self, name: str, copy: bool = False) -> Gadget: ...


class FormAndJsonApi(Protocol):
    @webmethod(route="/gadgets", method="POST")
    async def upload_gadget(self, file: Annotated[UploadFile, File()], name: str) -> Gadget: ...


class UnannotatedApi(Protocol):
    @webmethod(route="/gadgets", method="POST")
    async def create_gadget(self, name) -> Gadget: ...


class UnannotatedResultApi(Protocol):
    @webmethod(route="/gadgets", method="GET")
    async def list_gadgets(self): ...


class SplitRoutesApi(Protocol):
    @webmethod(route="/gadgets/{name}", method="GET")
    @webmethod(route="/gadget", method="GET")
    async def get_gadget(self, name: str) -> Gadget: ...


class ServiceParameterApi(Protocol):
    @webmethod(route="/gadgets", method="GET")
    async def list_gadgets(self, service: str) -> list[Gadget]: ...


class NoRoutesApi(Protocol):
    async def helper(self) -> None: ...


class RagApi(Protocol):
    @webmethod(route="/rag/query", method="POST")
    async def query(self, text: str) -> Gadget: ...


@asynccontextmanager
async def _nothing(context: ApiContext) -> AsyncIterator[object]:
    yield object()


def _legacy(protocols: Protocols) -> Any:
    def build(implementation: Any, context: ApiContext) -> Starlette:
        return create_legacy_app(protocols, implementation)

    return build


registry = ApiRegistry()
unscaffoldable: dict[str, Protocols] = {
    "variadic": VariadicApi,
    "private_field": PrivateFieldApi,
    "shadowing_field": ShadowingFieldApi,
    "form_and_json": FormAndJsonApi,
    "unannotated": UnannotatedApi,
    "unannotated_result": UnannotatedResultApi,
    "split_routes": SplitRoutesApi,
    "service_parameter": ServiceParameterApi,
    "nested": Nested("rag", RagApi),
}
for name, protocols in unscaffoldable.items():
    registry.register_api(name, implementation=_nothing, legacy=_legacy(protocols))
registry.register_api("no_routes", implementation=_nothing, legacy=_legacy(NoRoutesApi))
# A legacy side the adapter did not build: there is no protocol to read.
registry.register_api("not_webmethod", implementation=_nothing, legacy=lambda implementation, context: Starlette())
