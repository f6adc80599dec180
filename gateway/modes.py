"""The two sides an API is served from, the modes a flag gives it, and the backends a response names.

Each is named here once; the flag file's schema, its error messages, the CLI's choices, the
status page and the `x-gateway-backend` header all take them from this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, get_args

Side = Literal["legacy", "migrated"]
"""An app of an API: the legacy adapter's, or the migrated router's."""
SIDES: tuple[Side, ...] = get_args(Side)

Mode = Literal[Side, "shadow", "canary"]
"""How the flags serve an API or a route: every side is a mode; `shadow` has legacy answer while
the router is checked on the same calls; `canary` splits requests between the sides."""
MODES: tuple[Mode, ...] = get_args(Mode)
ROUTER_MODES: frozenset[Mode] = frozenset({"migrated", "shadow", "canary"})
"""The modes that use an API's router, and so need one."""
ANSWERING_SIDE: Mapping[Mode, Side] = {
    "legacy": "legacy",
    "migrated": "migrated",
    "shadow": "legacy",
    "canary": "legacy",
}
"""The side whose answer the client gets in each mode; a canary's baseline (its OpenAPI document, the
backend gauge) is legacy's, though each request names the side that answered it."""

GATEWAY: Final = "gateway"
"""The backend named when the gateway answers itself (404, 405, docs, admin)."""
Backend = Literal[Side, "gateway"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)
