"""What a reload keeps of the flags in force: the decisions of the API entries a new version leaves alone.

An API's decisions follow from its entry, the file's default and the routes. When the three are
the same, the new flags decide its routes as the flags in force did, so the API is neither checked
against the routes nor resolved again: a flip of one API in a 200-API file costs that API and the
file's parse, not all 200.
"""

from __future__ import annotations

from gateway.flags import FlagFile, FlagsSnapshot, Kept
from gateway.routes import GatewayRoute


def kept_decisions(in_force: FlagsSnapshot | None, flags: FlagFile, routes: tuple[GatewayRoute, ...]) -> Kept | None:
    """The APIs of `flags` whose decisions `in_force` already holds; None when nothing can be kept."""
    if in_force is None or in_force.routes is not routes or in_force.flags.default != flags.default:
        return None
    before, after = in_force.flags.apis, flags.apis
    # An entry written short is a mode, compared as a string; one in long form as a frozen model.
    same = frozenset(api for api in in_force.api_backends if before.get(api) == after.get(api))
    return Kept(in_force, same) if same else None
