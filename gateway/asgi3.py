"""An ASGI 3 entry point that is not itself a coroutine function, marked so servers still see ASGI 3.

uvicorn (and hypercorn, daphne) tell ASGI 3 from ASGI 2 by asking whether the app's
`__call__` is a coroutine function. The gateway's returns the awaitable of whatever answers,
which saves a frame per request but would read as ASGI 2 to a server run by hand.
"""

from __future__ import annotations

import asyncio.coroutines
import inspect
import sys
from collections.abc import Callable
from typing import Any, TypeVar

Entry = TypeVar("Entry", bound=Callable[..., Any])


def asgi3_entry(function: Entry) -> Entry:
    """Mark ``function`` as a coroutine function for `inspect`/`asyncio.iscoroutinefunction`."""
    if sys.version_info >= (3, 12):
        return inspect.markcoroutinefunction(function)
    # Python 3.11 has no public marker; asyncio.iscoroutinefunction honours this attribute.
    function._is_coroutine = asyncio.coroutines._is_coroutine  # type: ignore[attr-defined]
    return function
