"""The team's ledger (its own decorator, exceptions, context hook, result hook and middleware), for scaffolding.

Registered with the team's conventions and only its own protocol: the audit routes it also
serves come from a nested protocol, which the scaffold refuses.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from gateway import ApiContext, ApiRegistry
from legacy_adapter import create_legacy_app
from tests.team_api.registry import CONVENTIONS, open_ledger
from tests.team_api.service import Ledger


def _legacy(implementation: Any, context: ApiContext) -> Starlette:
    return create_legacy_app(Ledger, implementation, title="ledger")


registry = ApiRegistry(conventions=CONVENTIONS)
registry.register_api("ledger", implementation=open_ledger, legacy=_legacy)
