"""What `GET /v1/inspect/routes` lists, with its `api_filter` semantics."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from legacy_adapter.discovery import WebRoute

ApiFilter = Literal["v1", "v1alpha", "v1beta", "deprecated"]


def filter_routes(routes: Iterable[WebRoute], api_filter: ApiFilter | None = None) -> list[WebRoute]:
    """Routes as the old server listed them.

    No filter lists every route that is not deprecated; a level lists that level's
    routes that are not deprecated; ``deprecated`` lists the deprecated routes of any level.
    """
    if api_filter == "deprecated":
        return [route for route in routes if route.deprecated]
    return [route for route in routes if not route.deprecated and (api_filter is None or route.level == api_filter)]
