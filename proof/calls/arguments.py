"""A call's arguments: taken as they are when the call is made, made plain data only when read.

Binding the arguments to the method's signature and turning them into plain data cost more
than many calls themselves, so the event loop does neither: `Arguments` keeps the
positional and keyword arguments (each snapshotted where the implementation could change
it afterwards) and works out the mapping the first time it is read, which for a recording
is on the writer's thread and for a comparison after the response is complete.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from starlette.datastructures import UploadFile

from proof.calls.plain import plain
from proof.calls.uploads import UploadSnapshot

if TYPE_CHECKING:
    from proof.calls.observer import ObservedMethod

# Values nobody can change in place: kept as they are.
_UNCHANGING = (str, int, float, bool, bytes, type(None), enum.Enum, frozenset)


def snapshot(value: Any) -> Any:
    """`value` as it is now, cheaply: a shallow copy of what could be changed in place, an upload's content.

    Shallow, so a change to a nested object after the call shows in what is recorded; a
    reassigned field or a list appended to does not.
    """
    if isinstance(value, _UNCHANGING):
        return value
    if isinstance(value, BaseModel):
        return value.model_copy()
    if isinstance(value, list | dict | set):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(snapshot(item) for item in value)
    if isinstance(value, UploadFile):
        # Closed once the response is sent, before the arguments are read.
        return UploadSnapshot.of(value)
    return value


class Arguments(Mapping[str, Any]):
    """The arguments of one call of `method`, by parameter name, defaults included, as plain data.

    Binding makes `f(x)` and `f(model_id=x)` the same call, as they are to the implementation.
    """

    __slots__ = ("_method", "_args", "_kwargs", "_plain")

    def __init__(self, method: ObservedMethod, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._method = method
        self._args = tuple(snapshot(value) for value in args) if args else args
        self._kwargs = {key: snapshot(value) for key, value in kwargs.items()}
        self._plain: dict[str, Any] | None = None

    def _data(self) -> dict[str, Any]:
        # Worked out once; two threads that race here compute the same mapping.
        if self._plain is None:
            self._plain = self._bound()
        return self._plain

    def _bound(self) -> dict[str, Any]:
        by_name = self._by_name()
        if by_name is not None:
            return {key: plain(value) for key, value in by_name.items()}
        signature = self._method.signature
        try:
            bound = signature.bind(*self._args, **self._kwargs) if signature is not None else None
        except TypeError:
            # The call itself failed the same way.
            bound = None
        if bound is None:
            return {"*args": plain(self._args), **{key: plain(value) for key, value in self._kwargs.items()}}
        bound.apply_defaults()
        return {key: plain(value) for key, value in bound.arguments.items()}

    def _by_name(self) -> dict[str, Any] | None:
        """`Signature.bind` for the common signature (no `*args`, `**kwargs` or positional-only), a few times faster."""
        parameters = self._method.parameters
        if parameters is None:
            return None
        names, positional, defaults = parameters
        args, kwargs = self._args, self._kwargs
        if len(args) > positional or not kwargs.keys() <= set(names[len(args) :]):
            # A call that fails to bind: `Signature.bind` says how.
            return None
        bound = dict(zip(names, args, strict=False))
        for name in names[len(args) :]:
            if name in kwargs:
                bound[name] = kwargs[name]
            elif name in defaults:
                bound[name] = defaults[name]
            else:
                return None
        return bound

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return repr(self._data())
