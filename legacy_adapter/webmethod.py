"""The `@webmethod` decorator and the metadata record it leaves on a protocol method."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

Level = Literal["v1", "v1alpha", "v1beta"]
LEVELS: tuple[Level, ...] = ("v1", "v1alpha", "v1beta")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class WebMethod:
    """One route a protocol method is served on.

    The adapter reads these fields by attribute, so records left by a team's own
    decorator work as long as they carry the same names. Who may call the route is
    `require_authentication` and `required_scope`, enforced by the gateway; `public`
    never opened a route (the old server's authentication did not read it).
    """

    route: str
    method: str = "POST"
    level: str = "v1"
    public: bool = False
    request_examples: tuple[Any, ...] | None = None
    response_examples: tuple[Any, ...] | None = None
    raw_bytes_request_body: bool = False
    descriptive_name: str | None = None
    required_scope: str | None = None
    deprecated: bool = False
    require_authentication: bool = True


def webmethod(
    route: str,
    method: str = "POST",
    level: Level = "v1",
    public: bool = False,
    request_examples: list[Any] | None = None,
    response_examples: list[Any] | None = None,
    raw_bytes_request_body: bool = False,
    descriptive_name: str | None = None,
    required_scope: str | None = None,
    deprecated: bool = False,
    require_authentication: bool = True,
) -> Callable[[F], F]:
    """Declare that a protocol method is served at ``/{level}/{route}``.

    Stack several decorators to serve one method on several routes::

        class Models(Protocol):
            @webmethod(route="/models", method="GET")
            @webmethod(route="/openai/v1/models", method="GET", deprecated=True)
            async def list_models(self) -> ListModelsResponse: ...
    """
    if level not in LEVELS:
        raise ValueError(f"webmethod level must be one of {', '.join(LEVELS)}, not {level!r}")
    record = WebMethod(
        route=route,
        method=method.upper(),
        level=level,
        public=public,
        request_examples=tuple(request_examples) if request_examples is not None else None,
        response_examples=tuple(response_examples) if response_examples is not None else None,
        raw_bytes_request_body=raw_bytes_request_body,
        descriptive_name=descriptive_name,
        required_scope=required_scope,
        deprecated=deprecated,
        require_authentication=require_authentication,
    )

    def decorate(func: F) -> F:
        existing = getattr(func, "__webmethods__", [])
        # Decorators apply bottom-up; prepend so the list reads in source order.
        func.__webmethods__ = [record, *existing]  # type: ignore[attr-defined]
        return func

    return decorate
