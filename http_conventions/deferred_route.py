"""Routes whose FastAPI state is built on first use, not when the app is made.

FastAPI builds a route's dependant, parameter fields and response fields (pydantic
schemas, about half a millisecond a route) when the route is made. A server of a
thousand routes per side paid that for both sides at start-up, although a request
reaches one route of the side in force and a document is read on demand. A
`DeferredRoute` keeps what it was given and what names it (path, methods, name, the
declarations the gateway reads), compiles its path on its first match, and builds the
rest the first time anything else is read: its handler (a request), its dependant or
fields (a document). A route that cannot be built says so then, naming itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import compile_path, get_name

_PATH_STATE = frozenset({"path_regex", "path_format", "param_convertors"})
_BUILDING = threading.RLock()


class RouteBuildError(Exception):
    """A route's FastAPI state could not be built (its endpoint's signature or models are wrong)."""


class DeferredRoute(APIRoute):
    """An `APIRoute` made in microseconds: the rest of `APIRoute.__init__` runs on first use."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # What names the route is read without building it: the gateway's route table and auth.
        self.path = path
        self.endpoint = endpoint
        self.methods = {method.upper() for method in kwargs.get("methods") or ["GET"]}
        self.name = get_name(endpoint) if kwargs.get("name") is None else kwargs["name"]
        self.deprecated = kwargs.get("deprecated")
        self.openapi_extra = kwargs.get("openapi_extra")
        self.include_in_schema = kwargs.get("include_in_schema", True)
        self._deferred = (path, endpoint, kwargs)

    @property
    def built(self) -> bool:
        """Whether the route's FastAPI state is built (a route that could not be built is not)."""
        return "_deferred" not in self.__dict__

    def build(self, path: str, endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        """Make the route's FastAPI state; a subclass prepares its arguments here."""
        APIRoute.__init__(self, path, endpoint, **kwargs)

    def build_now(self) -> None:
        """Build the route's FastAPI state now if it is not built yet; `RouteBuildError` if it cannot be."""
        # A document may be built in a worker thread while a request reaches the same route.
        with _BUILDING:
            deferred = self.__dict__.get("_deferred")
            if deferred is not None and not self.__dict__.get("_building"):
                self._build(deferred)

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: the deferred state, on its first read.
        if name.startswith("__") or "_deferred" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if name in _PATH_STATE:
            # Matching needs the path alone: a request to one route compiles its neighbours' paths only.
            self.path_regex, self.path_format, self.param_convertors = compile_path(self.path)
        else:
            self.build_now()
        return object.__getattribute__(self, name)

    def _build(self, deferred: tuple[str, Callable[..., Any], dict[str, Any]]) -> None:
        # While building, a read of what is not set yet fails as on any object, instead of building again.
        self._building = True
        try:
            self.build(*deferred)
        except Exception as exc:
            methods = ",".join(sorted(self.methods or ()))
            raise RouteBuildError(f"route {methods} {self.path} ({self.name}) cannot be built: {exc}") from exc
        else:
            del self._deferred
        finally:
            del self._building


def build_first_routes(apps: Iterable[object]) -> None:
    """Build the first route of each app that defers any (the first that can be built), now.

    A process's first build also pays its libraries' one-off start (FastAPI imports
    `pydantic.v1` at its first field, tens of milliseconds): a server does it before it
    reports ready, so that no request waits for more than its own route's build.
    """
    for app in apps:
        for route in getattr(app, "routes", ()):
            if isinstance(route, DeferredRoute):
                try:
                    route.build_now()
                except RouteBuildError:
                    # Said on the route's first use, as any route's; this start needs one route that builds.
                    continue
                break
