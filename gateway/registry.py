"""Registering APIs: each one's implementation and the apps that serve it.

An application module builds one `ApiRegistry` named `registry`, with the team's own
`http_conventions.Conventions` if it has any (both sides of every API keep them)::

    registry = ApiRegistry(conventions=Conventions(errors=[ErrorEntry("missing", BookMissing, 404)]))
    registry.register_api(
        "models",
        implementation=open_models,          # ctx -> async context manager yielding the object
        legacy=lambda impl, ctx: create_legacy_app(ModelsApi, impl),
        migrated=lambda impl, ctx: models_app(impl),   # omitted while not migrated
    )

The implementation is created once per worker and shared by both apps, so flipping an
API between them never loses state. APIs start in registration order; an implementation
that uses another API's asks its context for it by type, and gets it only if that API
was registered (and so started) before it::

    @asynccontextmanager
    async def open_inference(context: ApiContext) -> AsyncIterator[InferenceImplementation]:
        yield InferenceImplementation(context.implementation(ModelsImplementation), clock=context.clock)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.applications import Starlette

from gateway.exceptions import ApiDependencyError, UnknownApiError
from http_conventions.conventions import DEFAULT_CONVENTIONS, Conventions

if TYPE_CHECKING:
    # Only named here: the served APIs are built from registrations.
    from gateway.lifecycle import ServedApi

T = TypeVar("T")

Clock = Callable[[], float]
"""The current Unix time in seconds, as `time.time` gives it."""


@dataclass(frozen=True)
class ApiContext:
    """What an implementation or app factory may use while the server starts."""

    data_dir: Path
    max_body_size: int
    implementations: Mapping[str, Any]
    """The implementations of the APIs registered before this one, by name."""
    clock: Clock = time.time
    """Where implementations read the time from; tests give a clock they move themselves."""
    served: Sequence[ServedApi] = ()
    """The APIs started so far, with the app of each side: every API once the server serves
    requests (`gateway.routes.collect_routes(context.served)` lists their routes)."""
    api: str = ""
    """The name of the API being started."""
    database: str | None = None
    """A database URL to keep state in (`--database`), given as is; None: under `data_dir`."""
    database_lease: float = 30.0
    """Seconds a replica's claim on shared work lasts unless renewed (`--database-lease`)."""

    def implementation(self, kind: type[T]) -> T:
        """The one implementation started before this API that is a `kind`, typed as one.

        Raises `ApiDependencyError` if none is (the API providing it is registered later, or
        not at all) or several are.
        """
        found = [(name, impl) for name, impl in self.implementations.items() if isinstance(impl, kind)]
        if len(found) == 1:
            return found[0][1]
        started = ", ".join(self.implementations) or "none"
        if not found:
            raise ApiDependencyError(
                f"API {self.api!r} needs a {kind.__name__}, which no API started before it provides "
                f"(started: {started}); register the API that provides it before {self.api!r}"
            )
        names = ", ".join(name for name, _ in found)
        raise ApiDependencyError(
            f"API {self.api!r} needs a {kind.__name__}, which several APIs provide ({names}); ask for a narrower type"
        )


ImplementationFactory = Callable[[ApiContext], AbstractAsyncContextManager[Any]]
AppFactory = Callable[[Any, ApiContext], Starlette]


@dataclass(frozen=True)
class ApiRegistration:
    name: str
    implementation: ImplementationFactory
    legacy: AppFactory
    migrated: AppFactory | None = None
    conventions: Conventions = DEFAULT_CONVENTIONS

    def apps(self, implementation: Any, context: ApiContext) -> tuple[Starlette, Starlette | None]:
        """The legacy app and, once the API has a router, the migrated app, both over `implementation`.

        Both keep the application's conventions: a flip never changes which apply.
        """
        migrated = self.migrated(implementation, context) if self.migrated else None
        legacy = self.conventions.install(self.legacy(implementation, context))
        return legacy, migrated and self.conventions.install(migrated)


class ApiRegistry:
    """The APIs one application serves, in registration (and start-up) order."""

    def __init__(self, *, conventions: Conventions = DEFAULT_CONVENTIONS) -> None:
        """`conventions` are the team's own (error classes, context, hooks, middleware), kept by every API."""
        if not isinstance(conventions, Conventions):
            raise TypeError(f"ApiRegistry conventions must be an http_conventions.Conventions, not {conventions!r}")
        self.conventions = conventions
        self._apis: dict[str, ApiRegistration] = {}

    def register_api(
        self,
        name: str,
        *,
        implementation: ImplementationFactory,
        legacy: AppFactory,
        migrated: AppFactory | None = None,
    ) -> ApiRegistration:
        """Register an API; `migrated` is left out while the API has no router yet."""
        if name in self._apis:
            raise ValueError(f"API {name!r} is registered twice")
        registration = ApiRegistration(
            name=name, implementation=implementation, legacy=legacy, migrated=migrated, conventions=self.conventions
        )
        self._apis[name] = registration
        return registration

    def __getitem__(self, name: str) -> ApiRegistration:
        try:
            return self._apis[name]
        except KeyError:
            raise UnknownApiError(name, self._apis) from None

    def __iter__(self) -> Iterator[ApiRegistration]:
        return iter(self._apis.values())

    @property
    def names(self) -> list[str]:
        """The registered APIs' names, in registration order."""
        return list(self._apis)
