"""`gateway init PACKAGE`: a registering module and a flag file for a team's own `@webmethod` package."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer

from gateway.cli.common import default, fail
from gateway.loading import importable_from_here
from gateway.starter_files import flag_file, registering_module

# Reached by name, as --apis is: the gateway does not import the adapter (SPEC 2).
_FINDER = "legacy_adapter.finding"


def _found(package: str) -> list[Any]:
    importable_from_here()
    try:
        finding = importlib.import_module(_FINDER)
        found: list[Any] = finding.find_protocols(package)
    except ImportError as exc:
        raise fail(f"cannot import {exc.name or package!r} while reading {package!r}: {exc}") from exc
    if not found:
        raise fail(f"no @webmethod protocols in {package!r}: no class there has a method with a webmethod record")
    return found


def init(
    package: Annotated[str, typer.Argument(help="The package (or module) holding your @webmethod protocols.")],
    module: Annotated[
        str, typer.Option(help="Name of the registering module to write, in the current directory.")
    ] = "gateway_apis",
    flags: Annotated[
        Path | None, typer.Option("--flags", help="The flag file to write.", show_default=default("flags"))
    ] = None,
) -> None:
    """Find the @webmethod protocols in PACKAGE; write a registering module and a flag file with every API on legacy.

    Nothing is overwritten: if either file exists, nothing is written.
    """
    if not module.isidentifier():
        raise fail(f"--module must be a Python module name, not {module!r}")
    module_path = Path(f"{module}.py")
    flags_path = flags or Path(default("flags"))
    for path in (module_path, flags_path):
        if path.exists():
            raise fail(f"{path} exists; nothing was written (move it away, or pick another with --module/--flags)")
    found = _found(package)
    module_path.write_text(registering_module(package, module, found))
    flags_path.parent.mkdir(parents=True, exist_ok=True)
    flags_path.write_text(flag_file(package, [item.api for item in found]))
    typer.echo(f"found {len(found)} API{'s' if len(found) > 1 else ''} in {package}:")
    for item in found:
        implementation = item.implementation
        implemented = (
            f"implemented by {implementation.__module__}.{implementation.__name__}"
            if implementation
            else "implementation: TODO"
        )
        typer.echo(f"  {item.api:<16} {item.protocol.__module__}.{item.protocol.__name__} ({implemented})")
    typer.echo(f"wrote {module_path} and {flags_path} (every API on legacy)")
    flags_option = "" if flags is None else f" --flags {flags_path}"
    typer.echo(
        "next steps:\n"
        f"  1. check each API's implementation in {module_path}\n"
        f"  2. gateway routes --apis {module}{flags_option}      every route and the side serving it\n"
        f"  3. gateway serve --apis {module}{flags_option}       serve them; see README 'Adopting on your codebase'\n"
        f"  (every command that reads the routes takes --apis {module}; or set GATEWAY_APIS={module} once)"
    )
