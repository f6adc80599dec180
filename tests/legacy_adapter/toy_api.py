"""A small webmethod protocol and implementation the adapter tests serve.

It exercises every quirk of the adapter without depending on the example APIs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol

import anyio
from fastapi import Body, File, Form, UploadFile
from pydantic import BaseModel

from http_conventions import ResourceNotFoundError, current_request_context
from legacy_adapter import webmethod

# The body limit the tests build the app with.
MAX_BODY_SIZE = 4096


class Color(StrEnum):
    RED = "red"
    BLUE = "blue"


class Widget(BaseModel):
    widget_id: str
    size: int = 1
    tags: list[str] = []


class DetailedWidget(Widget):
    secret: str


class Chunk(BaseModel):
    index: int
    provider_data: dict[str, Any] = {}


class CompletionParams(BaseModel):
    prompt: str
    count: int = 2
    stream: bool = False


class WidgetsApi(Protocol):
    @webmethod(route="/widgets", method="GET")
    async def list_widgets(
        self, color: Color | None = None, order: Literal["asc", "desc"] = "asc", limit: int = 10
    ) -> dict[str, Any]:
        """List the widgets.

        Widgets are listed in the order asked for.

        :param color: Only widgets of this color.
        :param order: Sort order of the listing.
        :param limit: How many widgets to list at most.
        :returns: The widgets.
        """
        ...

    @webmethod(route="/widgets/{widget_id}", method="GET")
    @webmethod(route="/legacy/widgets/{widget_id}", method="GET", deprecated=True)
    async def get_widget(self, widget_id: str) -> Widget:
        """Get one widget.

        The widget comes back with every field
        the implementation knows about.

        :param widget_id: The identifier of the widget.
        :returns: The widget, as stored.
        """
        ...

    @webmethod(route="/widgets", method="POST")
    async def create_widget(self, name: str, size: int = 1, tags: list[str] | None = None) -> Widget:
        """Create a widget.

        :param name: The name of the new widget.
        :param size: The size of the new widget,
            in whole units.
        :param tags: Labels to attach.
        :returns: The created widget.
        """
        ...

    @webmethod(route="/widgets/{widget_id}", method="PUT")
    async def update_widget(self, widget_id: str, size: int) -> Widget:
        """Replace a widget's size."""
        ...

    @webmethod(route="/widgets/{widget_id}/name", method="PATCH")
    async def rename_widget(self, widget_id: str, name: str) -> Widget:
        """Rename a widget."""
        ...

    @webmethod(route="/widgets/{widget_id}", method="DELETE")
    async def delete_widget(self, widget_id: str) -> None:
        """Delete a widget.

        :param widget_id: The identifier of the widget to delete.
        """
        ...

    @webmethod(route="/widgets/{widget_id}/touch", method="POST")
    async def touch_widget(self, widget_id: str) -> None:
        """Mark a widget as used."""
        ...

    @webmethod(route="/widgets/{widget_id}/lookup", method="GET")
    async def lookup_widget(self, widget_id: str) -> Widget | None:
        """Find a widget, or nothing."""
        ...

    @webmethod(route="/files/{path:path}", method="GET")
    async def read_file(self, path: str) -> dict[str, str]:
        """Read a file by its path.

        :param path: Where the file lives; may contain slashes.
        """
        ...

    @webmethod(route="/files", method="POST")
    async def upload_file(self, file: Annotated[UploadFile, File()], purpose: Annotated[str, Form()]) -> dict[str, Any]:
        """Upload a file."""
        ...

    @webmethod(route="/chat", method="POST")
    async def chat(
        self, prompt: str, count: int = 2, fail_after: int | None = None, stream: bool = False
    ) -> Chunk | AsyncIterator[Chunk]:
        """Answer a prompt, streamed or whole."""
        ...

    @webmethod(route="/completions", method="POST")
    async def complete(self, params: Annotated[CompletionParams, Body(...)]) -> Chunk | AsyncIterator[Chunk]:
        """Complete a prompt, streamed or whole."""
        ...

    @webmethod(route="/fail", method="POST")
    async def fail(self) -> None:
        """Raise whatever the test asked for."""
        ...

    @webmethod(route="/context", method="GET")
    async def provider_data(self) -> dict[str, Any]:
        """Report the provider data of the request."""
        ...

    @webmethod(route="/experimental/widgets", method="GET", level="v1alpha")
    async def list_experimental_widgets(self) -> dict[str, str]:
        """List the experimental widgets."""
        ...

    @webmethod(route="/preview/widgets", method="GET", level="v1beta")
    async def list_preview_widgets(self) -> dict[str, str]:
        """List the preview widgets."""
        ...


class WidgetsImpl:
    """Answers from memory and records what it was asked, so tests can look."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.to_raise: BaseException | None = None
        self.stream_closed = False
        # False: items come from memory, as when a provider's data is already buffered.
        self.stream_awaits_provider = True

    async def list_widgets(
        self, color: Color | None = None, order: Literal["asc", "desc"] = "asc", limit: int = 10
    ) -> dict[str, Any]:
        self.calls.append("list_widgets")
        return {"color": color, "order": order, "limit": limit}

    async def get_widget(self, widget_id: str) -> Widget:
        self.calls.append("get_widget")
        return DetailedWidget(widget_id=widget_id, size=3, secret="kept")

    async def create_widget(self, name: str, size: int = 1, tags: list[str] | None = None) -> Widget:
        self.calls.append("create_widget")
        return Widget(widget_id=name, size=size, tags=tags or [])

    async def update_widget(self, widget_id: str, size: int) -> Widget:
        self.calls.append("update_widget")
        return Widget(widget_id=widget_id, size=size)

    async def rename_widget(self, widget_id: str, name: str) -> Widget:
        self.calls.append("rename_widget")
        return Widget(widget_id=name, tags=[f"was:{widget_id}"])

    async def delete_widget(self, widget_id: str) -> None:
        self.calls.append("delete_widget")

    async def touch_widget(self, widget_id: str) -> None:
        self.calls.append("touch_widget")

    async def lookup_widget(self, widget_id: str) -> Widget | None:
        self.calls.append("lookup_widget")
        return None

    async def read_file(self, path: str) -> dict[str, str]:
        self.calls.append("read_file")
        return {"path": path}

    # The served signature is the implementation's, so it carries the annotations too.
    async def upload_file(self, file: Annotated[UploadFile, File()], purpose: Annotated[str, Form()]) -> dict[str, Any]:
        self.calls.append("upload_file")
        content = await file.read()
        return {"filename": file.filename, "content": content.decode(), "purpose": purpose}

    async def chat(
        self, prompt: str, count: int = 2, fail_after: int | None = None, stream: bool = False
    ) -> Chunk | AsyncIterator[Chunk]:
        self.calls.append("chat")
        if prompt == "unknown":
            # Raised by the coroutine itself, before any item exists.
            raise ResourceNotFoundError("Model", prompt)
        if stream:
            return self._chunks(count, fail_after)
        return Chunk(index=count)

    async def complete(self, params: Annotated[CompletionParams, Body(...)]) -> Chunk | AsyncIterator[Chunk]:
        self.calls.append("complete")
        if params.stream:
            return self._chunks(params.count, None)
        return Chunk(index=params.count)

    async def fail(self) -> None:
        self.calls.append("fail")
        assert self.to_raise is not None, "the test must set to_raise"
        raise self.to_raise

    async def provider_data(self) -> dict[str, Any]:
        self.calls.append("provider_data")
        return current_request_context().provider_data

    async def list_experimental_widgets(self) -> dict[str, str]:
        return {"level": "v1alpha"}

    async def list_preview_widgets(self) -> dict[str, str]:
        return {"level": "v1beta"}

    async def _chunks(self, count: int, fail_after: int | None) -> AsyncIterator[Chunk]:
        try:
            for index in range(count):
                if index == fail_after:
                    raise ConnectionError("provider went away")
                if self.stream_awaits_provider:
                    await anyio.sleep(0)
                yield Chunk(index=index, provider_data=current_request_context().provider_data)
        finally:
            self.stream_closed = True
