"""A small implementation with every shape of method: awaited, streamed (both ways), plain, failing."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import UploadFile
from pydantic import BaseModel


class Item(BaseModel):
    name: str
    size: int = 0


class Toy:
    def __init__(self) -> None:
        self.real_calls: list[str] = []

    async def get(self, name: str, size: int = 0) -> Item:
        self.real_calls.append("get")
        return Item(name=name, size=size)

    async def put(self, item: Item) -> Item:
        self.real_calls.append("put")
        # An inner call of a public method: part of this call, not one of its own.
        return await self.get(item.name, item.size + 1)

    async def fail(self) -> None:
        self.real_calls.append("fail")
        raise LookupError("no such toy")

    async def stream(self, count: int) -> AsyncIterator[Item]:
        self.real_calls.append("stream")
        return self._items(count)

    async def generate(self, count: int, fail_after: int | None = None) -> AsyncIterator[Item]:
        self.real_calls.append("generate")
        for index in range(count):
            if index == fail_after:
                raise RuntimeError("stream broke")
            yield Item(name=f"item-{index}")

    async def store(self, file: UploadFile) -> int:
        self.real_calls.append("store")
        self.stored = file
        return len(await file.read())

    async def stored_upload(self) -> UploadFile:
        self.real_calls.append("stored_upload")
        return self.stored

    def count(self) -> int:
        self.real_calls.append("count")
        return len(self.real_calls)

    async def _items(self, count: int) -> AsyncIterator[Item]:
        for index in range(count):
            yield Item(name=f"item-{index}")
