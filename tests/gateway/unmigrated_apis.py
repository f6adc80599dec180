"""The example APIs with providers as it was before `gateway scaffold` wrote its router: legacy only.

For the tests of what the gateway does with an API still waiting for its router.
"""

from __future__ import annotations

from apis.registry import registry as example_registry
from gateway.registry import ApiRegistry

registry = ApiRegistry()
for registration in example_registry:
    registry.register_api(
        registration.name,
        implementation=registration.implementation,
        legacy=registration.legacy,
        migrated=None if registration.name == "providers" else registration.migrated,
    )
