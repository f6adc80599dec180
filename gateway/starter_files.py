"""The registering module and flag file `gateway init` writes for a team's package.

Built from what the legacy adapter found in the package (`legacy_adapter.finding`), read
here by attribute only: the gateway does not import the adapter (SPEC 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_MODULE_HEAD = '''"""The APIs of {package}, served through Strangler Gateway.

Written by `gateway init {package}`: every API found is registered on its legacy side.
Check each implementation below, then `gateway serve --apis {module}`. When an API has a
FastAPI router, add `migrated=` to its registration (README: "Adopting on your codebase").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from gateway import ApiContext, ApiRegistry
from http_conventions import Conventions
from legacy_adapter import create_legacy_app

{imports}

# Your server's own conventions, for every API and both sides: error classes
# (`errors=[ErrorEntry(...)]`), request context, result hook, middleware (README).
registry = ApiRegistry(conventions=Conventions())
'''

_FOUND = """

@asynccontextmanager
async def open_{api}(context: ApiContext) -> AsyncIterator[Any]:
    # Found in {where}: check the arguments it needs.
    yield {implementation}()
"""

_NOT_FOUND = """

@asynccontextmanager
async def open_{api}(context: ApiContext) -> AsyncIterator[Any]:
    # TODO: yield the object that implements {protocol} (no one class in {package} has all its methods).
    raise NotImplementedError("{module}.py: open_{api} must yield the implementation of {protocol}")
    yield
"""

_REGISTRATION = """

registry.register_api(
    "{api}",
    implementation=open_{api},
    legacy=lambda impl, ctx: create_legacy_app({protocol}, impl, title="{api}", max_body_size=ctx.max_body_size),
)
"""

_FLAGS = """# Which side serves each API: `legacy` (the @webmethod adapter) or `migrated` (its FastAPI router).
# Written by `gateway init {package}`. The running gateway re-reads this file within a second of a
# save; `gateway flags set NAME migrated` flips an API once it has a router.
default: legacy

apis:
{apis}
"""


def _imported(classes: Sequence[type]) -> str:
    names: dict[str, set[str]] = {}
    for klass in classes:
        names.setdefault(klass.__module__, set()).add(klass.__name__)
    return "\n".join(f"from {module} import {', '.join(sorted(names[module]))}" for module in sorted(names))


def registering_module(package: str, module: str, found: Sequence[Any]) -> str:
    """The Python source of the registering module for the protocols `found`."""
    classes = [item.protocol for item in found] + [item.implementation for item in found if item.implementation]
    text = _MODULE_HEAD.format(package=package, module=module, imports=_imported(classes))
    for item in found:
        if item.implementation is not None:
            text += _FOUND.format(
                api=item.api, where=item.implementation.__module__, implementation=item.implementation.__name__
            )
        else:
            text += _NOT_FOUND.format(api=item.api, protocol=item.protocol.__name__, package=package, module=module)
        text += _REGISTRATION.format(api=item.api, protocol=item.protocol.__name__)
    return text


def flag_file(package: str, apis: Sequence[str]) -> str:
    """A flag file with every API on `legacy`."""
    return _FLAGS.format(package=package, apis="\n".join(f"  {api}: legacy" for api in apis))
