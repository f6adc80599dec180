# mypy: disable-error-code="empty-body"
"""A legacy API and a router that drifts from it in every way the contract diff can see.

Each router route below says which check it trips; together they trip every check of
the catalogue, including the reference migration's own drift classes (DELETE 204 became
200 `null`, multipart `expires_after[...]` fields dropped, a method flipped between POST
and PUT, a path parameter renamed so the route silently stayed on legacy). Served with
``--apis tests.gateway.contract.drifting_api``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal, Protocol

from fastapi import FastAPI, File, Form, Query, UploadFile
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from gateway import ApiContext, ApiRegistry
from http_conventions import SSE_MEDIA_TYPE, ConventionRouter, create_router_app, public
from legacy_adapter import create_legacy_app, webmethod

API = "widgets"


class Widget(BaseModel):
    id: str
    colour: str


class WidgetList(BaseModel):
    data: list[Widget]
    has_more: bool


class Chunk(BaseModel):
    text: str


class WidgetsApi(Protocol):
    @webmethod(route="/widgets", method="GET")
    async def list_widgets(
        self, limit: int = 20, order: Literal["asc", "desc"] = "desc", after: str | None = None
    ) -> WidgetList: ...

    @webmethod(route="/widgets", method="POST")
    async def create_widget(self, name: str, colour: str = "red") -> Widget: ...

    @webmethod(route="/widgets/{widget_id}", method="GET")
    async def get_widget(self, widget_id: str) -> Widget: ...

    @webmethod(route="/widgets/{widget_id}", method="DELETE")
    async def delete_widget(self, widget_id: str) -> None: ...

    @webmethod(route="/widgets/{widget_id}/rename", method="PUT")
    async def rename_widget(self, widget_id: str, name: str) -> Widget: ...

    @webmethod(route="/widgets/{widget_id}/parts", method="GET")
    async def list_parts(self, widget_id: str) -> dict[str, list[str]]: ...

    @webmethod(route="/widgets/{widget_id}/history", method="GET")
    async def widget_history(self, widget_id: str) -> dict[str, list[str]]: ...

    @webmethod(route="/widgets/{widget_id}/notes", method="POST")
    async def add_note(self, widget_id: str, text: str) -> dict[str, str]: ...

    @webmethod(route="/widgets/{widget_id}/export", method="GET")
    async def export_widget(self, widget_id: str) -> dict[str, str]: ...

    @webmethod(route="/widgets/{widget_id}/old", method="GET", deprecated=True)
    async def old_widget(self, widget_id: str) -> Widget: ...

    @webmethod(route="/files", method="POST")
    async def upload_file(
        self,
        file: Annotated[UploadFile, File()],
        purpose: Annotated[str, Form()],
        expires_after_anchor: Annotated[str | None, Form(alias="expires_after[anchor]")] = None,
        expires_after_seconds: Annotated[int | None, Form(alias="expires_after[seconds]")] = None,
    ) -> dict[str, str]: ...

    @webmethod(route="/chat", method="POST")
    async def chat(self, prompt: str, stream: bool = False) -> Chunk: ...

    @webmethod(route="/complete", method="POST")
    async def complete(self, prompt: str) -> Chunk: ...


class Widgets(WidgetsApi):
    """Never called: the diff reads documents only, so the protocol's own signatures do."""


def new_widgets() -> Widgets:
    # The protocol's methods are stubs, which is all a document needs.
    return Widgets()  # type: ignore[abstract]


class WidgetV2(BaseModel):
    id: str
    weight: int


class WidgetPage(BaseModel):
    data: list[WidgetV2]
    has_more: bool | None = None


def drifting_router() -> ConventionRouter:
    router = ConventionRouter()

    # request-type-narrowed (limit), request-type-widened (order), request-parameter-required-added (tenant),
    # request-parameter-optional-added (kind), request-parameter-became-required (after),
    # response-field-removed (data[].colour), response-field-added (data[].weight),
    # response-field-became-optional (has_more)
    @router.get("/v1/widgets")
    async def list_widgets(
        tenant: str,
        after: str,
        limit: Annotated[int, Query(le=100)] = 20,
        order: Literal["asc", "desc", "random"] = "desc",
        kind: str | None = None,
    ) -> WidgetPage: ...

    # request-parameter-location-changed: `name` from the JSON body to the query string;
    # request-parameter-removed: `colour`.
    @router.post("/v1/widgets")
    async def create_widget(name: str) -> Widget: ...

    # auth-changed (public now) and deprecation-added.
    @router.get("/v1/widgets/{widget_id}", deprecated=True, openapi_extra=public())
    async def get_widget(widget_id: str) -> Widget: ...

    # success-status-changed: legacy answers 204, this answers 200 `null`.
    @router.delete("/v1/widgets/{widget_id}")
    async def delete_widget(widget_id: str) -> None: ...

    # method-changed: legacy served the declared PUT as POST; the router serves PUT.
    @router.put("/v1/widgets/{widget_id}/rename")
    async def rename_widget(widget_id: str, name: str) -> Widget: ...

    # path-parameter-renamed: `{widget_id}` became `{id}`, so the route stays on legacy.
    @router.get("/v1/widgets/{id}/parts")
    async def list_parts(id: str) -> dict[str, list[str]]: ...

    # operation-legacy-only: GET /v1/widgets/{widget_id}/history has no route here.

    # operation-migrated-only.
    @router.get("/v1/widgets/{widget_id}/stats")
    async def widget_stats(widget_id: str) -> dict[str, int]: ...

    # request-media-type-changed and request-parameter-location-changed: JSON body became a form.
    @router.post("/v1/widgets/{widget_id}/notes")
    async def add_note(widget_id: str, text: Annotated[str, Form()]) -> dict[str, str]: ...

    # response-media-type-changed: JSON became plain text.
    @router.get("/v1/widgets/{widget_id}/export", response_class=PlainTextResponse)
    async def export_widget(widget_id: str) -> str: ...

    # deprecation-removed.
    @router.get("/v1/widgets/{widget_id}/old")
    async def old_widget(widget_id: str) -> Widget: ...

    # request-parameter-removed: the multipart `expires_after[...]` fields are silently dropped.
    @router.post("/v1/files")
    async def upload_file(file: Annotated[UploadFile, File()], purpose: Annotated[str, Form()]) -> dict[str, str]: ...

    # streaming-removed: legacy streams when `stream` is true; this documents JSON only.
    @router.post("/v1/chat")
    async def chat(prompt: Annotated[str, Query()], stream: Annotated[bool, Query()] = False) -> Chunk: ...

    # streaming-added.
    @router.post("/v1/complete", responses={200: {"content": {SSE_MEDIA_TYPE: {}}}})
    async def complete(prompt: Annotated[str, Query()]) -> Chunk: ...

    return router


@asynccontextmanager
async def open_widgets(context: ApiContext) -> AsyncIterator[Widgets]:
    yield new_widgets()


def legacy_widgets(implementation: Any, context: ApiContext) -> FastAPI:
    return create_legacy_app(WidgetsApi, implementation)


def migrated_widgets(implementation: Any, context: ApiContext) -> FastAPI:
    return create_router_app(drifting_router(), implementation, title="widgets")


registry = ApiRegistry()
registry.register_api(API, implementation=open_widgets, legacy=legacy_widgets, migrated=migrated_widgets)
