"""A call's arguments: taken as they are when the call is made, made plain data only when read.

Binding the arguments to the method's signature and turning them into plain data cost more
than many calls themselves, so the event loop does neither: `Arguments` keeps the
positional and keyword arguments (each snapshotted where the implementation could change
it afterwards) and works out the mapping the first time it is read, after the response is
complete; a recording binds them in its writer process (`by_name`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
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


Parameters = tuple[Sequence[str], int, Mapping[str, Any]]
"""A signature without `*args`, `**kwargs` or positional-only parameters: the names in order, how many may
be passed by position, and the defaults."""


def by_name(parameters: Parameters, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
    """`Signature.bind` with defaults applied, a few times faster; None when the call does not bind."""
    names, positional, defaults = parameters
    if len(args) > positional or not kwargs.keys() <= set(names[len(args) :]):
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


def unbound(args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """A call that does not bind (it failed the implementation the same way): its arguments as given."""
    return {"*args": args, **kwargs}


class Arguments(Mapping[str, Any]):
    """The arguments of one call of `method`, by parameter name, defaults included, as plain data.

    Binding makes `f(x)` and `f(model_id=x)` the same call, as they are to the implementation.
    """

    __slots__ = ("method", "positional", "keywords", "_plain")

    def __init__(self, method: ObservedMethod, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.method = method
        self.positional = tuple(snapshot(value) for value in args) if args else args
        """The arguments passed by position, as they were when the call was made."""
        self.keywords = {key: snapshot(value) for key, value in kwargs.items()} if kwargs else kwargs
        self._plain: dict[str, Any] | None = None

    def _data(self) -> dict[str, Any]:
        # Worked out once; two threads that race here compute the same mapping.
        if self._plain is None:
            self._plain = {key: plain(value) for key, value in self.bound().items()}
        return self._plain

    def bound(self) -> dict[str, Any]:
        """The arguments by parameter name, as they were given (not made plain data)."""
        parameters = self.method.parameters
        if parameters is not None:
            bound = by_name(parameters, self.positional, self.keywords)
            return unbound(self.positional, self.keywords) if bound is None else bound
        signature = self.method.signature
        try:
            arguments = signature.bind(*self.positional, **self.keywords) if signature is not None else None
        except TypeError:
            arguments = None
        if arguments is None:
            return unbound(self.positional, self.keywords)
        arguments.apply_defaults()
        return dict(arguments.arguments)

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return repr(self._data())
