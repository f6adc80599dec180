"""A protocol whose parameters say more than where they are read: Body() arguments, constraints beside markers.

The scaffold must carry each of them over: a Body's default and constraints become the
request model field's, a marker's own description wins over the docstring's, metadata that
is no FastAPI marker stays on the type, and a long `:param` text is kept whole.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from annotated_types import MaxLen
from fastapi import Body, Query
from pydantic import BaseModel

from legacy_adapter import webmethod


class Edge(BaseModel):
    name: str
    weight: int
    note: str | None = None


class EdgesApi(Protocol):
    @webmethod(route="/edges", method="POST")
    async def create_edge(
        self,
        name: Annotated[str, Body(embed=True, min_length=1)],
        weight: Annotated[int, Body(embed=True, ge=0)] = 5,
        note: Annotated[str | None, MaxLen(10)] = None,
    ) -> Edge:
        """Create an edge.

        :param name: The name of the edge.
        :param weight: How heavy the edge is, from zero up; an edge with no weight given weighs five, which is
            what the old server assumed for every edge it created before weights existed.
        :param note: A short note.
        """
        ...

    @webmethod(route="/edges", method="GET")
    async def list_edges(
        self,
        limit: Annotated[int, Query(le=5, description="At most five.")] = 5,
        prefix: Annotated[str | None, Query(), MaxLen(3)] = None,
    ) -> list[Edge]:
        """List edges.

        :param limit: How many edges.
        :param prefix: Only edges whose name starts so.
        """
        ...


class EdgesImpl:
    # The legacy side serves the implementation's signature, so it carries the protocol's annotations.
    async def create_edge(
        self,
        name: Annotated[str, Body(embed=True, min_length=1)],
        weight: Annotated[int, Body(embed=True, ge=0)] = 5,
        note: Annotated[str | None, MaxLen(10)] = None,
    ) -> Edge:
        return Edge(name=name, weight=weight, note=note)

    async def list_edges(
        self,
        limit: Annotated[int, Query(le=5, description="At most five.")] = 5,
        prefix: Annotated[str | None, Query(), MaxLen(3)] = None,
    ) -> list[Edge]:
        return [Edge(name=f"{prefix or 'e'}{n}", weight=n) for n in range(limit)]
