"""Observed implementations: their public methods routed through whoever observes the current request.

`observe(implementation)` puts a thin wrapper on the instance for each public method, once,
before the apps are built over it. The object stays the same object (identity and
`isinstance` unchanged, the class untouched). While nothing observes, a call costs one
`ContextVar` read more; while a `Capture` or a `Replay` is `active()`, the outermost
implementation call of the request goes through it (calls the implementation makes of
itself or of another observed implementation are part of that call, not calls of their own).
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

from proof.calls.arguments import Arguments

T = TypeVar("T")

_OBSERVED = "__proof_observed__"


class ObservedMethod:
    """One public method of an observed implementation: its name and the bound method itself."""

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self.name = name
        self.function = function

    @functools.cached_property
    def signature(self) -> inspect.Signature | None:
        # Worked out on first use and kept: `inspect.signature` costs more than the call it describes.
        try:
            return inspect.signature(self.function)
        except (TypeError, ValueError):
            return None

    @functools.cached_property
    def is_coroutine(self) -> bool:
        """An `async def` method: calling it only makes the coroutine."""
        return inspect.iscoroutinefunction(self.function)

    @functools.cached_property
    def parameters(self) -> tuple[tuple[str, ...], int, dict[str, Any]] | None:
        """Parameter names in order, how many may be passed by position, and their defaults; None when the
        signature has `*args`, `**kwargs` or positional-only parameters."""
        if self.signature is None:
            return None
        parameters = self.signature.parameters.values()
        kinds = [parameter.kind for parameter in parameters]
        named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        if any(kind not in named for kind in kinds):
            return None
        positional = kinds.count(inspect.Parameter.POSITIONAL_OR_KEYWORD)
        defaults = {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}
        return tuple(p.name for p in parameters), positional, defaults

    def arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Arguments:
        """The call's arguments, held as they are now and made plain data when first read."""
        return Arguments(self, args, kwargs)


class CallObserver(Protocol):
    """Decides what a call of an observed method does and gives back what the caller receives."""

    def call(self, method: ObservedMethod, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...


_observer: ContextVar[CallObserver | None] = ContextVar("proof_call_observer", default=None)


# Entered around every observed request and call: classes, as generator context managers cost microseconds more.
class active:
    """Route the observed calls made in this context (tasks started in it included) through `observer`."""

    __slots__ = ("_observer", "_token")

    def __init__(self, observer: CallObserver) -> None:
        self._observer = observer

    def __enter__(self) -> CallObserver:
        self._token = _observer.set(self._observer)
        return self._observer

    def __exit__(self, *exc: object) -> None:
        _observer.reset(self._token)


class unobserved:
    """Let calls inside run as they are: an observed call's own inner calls belong to it."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _observer.set(None)

    def __exit__(self, *exc: object) -> None:
        _observer.reset(self._token)


def observe(implementation: T) -> T:
    """Make `implementation`'s public methods observable; returns the same object.

    Call it before building the apps that bind its methods. Observing twice changes nothing.
    """
    for name in dir(type(implementation)):
        if name.startswith("_") or not _is_method(inspect.getattr_static(type(implementation), name)):
            continue
        bound = getattr(implementation, name)
        if getattr(bound, _OBSERVED, False):
            continue
        try:
            setattr(implementation, name, _observed(name, bound))
        except AttributeError as exc:
            raise TypeError(
                f"cannot observe calls of {type(implementation).__qualname__}: its instances take no attributes "
                "(__slots__ without __dict__?)"
            ) from exc
    return implementation


# Functions and compiled methods alike: a method left unobserved would run for real in a replay. Other
# descriptors (properties, cached properties) are data: reading one early could compute it too soon.
_METHOD_TYPES = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodDescriptorType,
    types.ClassMethodDescriptorType,
    types.WrapperDescriptorType,
    staticmethod,
    classmethod,
)


def _is_method(attribute: object) -> bool:
    return isinstance(attribute, _METHOD_TYPES)


def _observed(name: str, bound: Callable[..., Any]) -> Callable[..., Any]:
    method = ObservedMethod(name, bound)

    @functools.wraps(bound)
    def observed(*args: Any, **kwargs: Any) -> Any:
        observer = _observer.get()
        if observer is None:
            return bound(*args, **kwargs)
        return observer.call(method, args, kwargs)

    setattr(observed, _OBSERVED, True)
    return observed
