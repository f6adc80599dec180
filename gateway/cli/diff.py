"""`gateway diff`: what a client would see change when an API moves from legacy to its router."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from gateway.cli.common import ApisOption, fail, load_settings, reported
from gateway.contract import (
    NO_ROUTER,
    RENDERERS,
    ApiReport,
    Level,
    accept,
    diff_apis,
    diff_documents,
    failing,
    load_ignore_file,
)
from gateway.exceptions import ContractInputError, GatewayError
from gateway.loading import load_registry
from gateway.modes import SIDES, Side
from gateway.offline import scratch_apis
from gateway.registry import ApiRegistry

# The renderers' and levels' names; a test pins them to `RENDERERS` and `Level`.
OutputFormat = Literal["text", "json", "markdown"]
FailOn = Literal["err", "warn"]
FAIL_ON: dict[str, Level] = {"err": Level.ERR, "warn": Level.WARN}


def _built_documents(registry: ApiRegistry, names: list[str]) -> dict[tuple[str, Side], Any]:
    async def build() -> dict[tuple[str, Side], Any]:
        documents: dict[tuple[str, Side], Any] = {}
        async with scratch_apis(registry) as apis:
            for api in apis:
                for side in SIDES:
                    app: Any = api.app(side)
                    if api.name not in names or app is None:
                        continue
                    try:
                        documents[(api.name, side)] = app.openapi()
                    except Exception as exc:
                        # A team's models can make FastAPI's generator fail; its error is the one to fix.
                        raise ContractInputError(
                            f"{api.name} ({side}): its OpenAPI document does not build: {type(exc).__name__}: {exc}"
                        ) from exc
        return documents

    return asyncio.run(build())


def _registered_reports(names: list[str], apis: str | None) -> list[ApiReport]:
    with reported():
        registry = load_registry(load_settings(apis=apis).apis)
    for name in names:
        registration = registry[name]
        if registration.migrated is None:
            raise ContractInputError(f"{name}: {NO_ROUTER} (register its router with `migrated=` to compare it)")
    chosen = names or registry.names
    return diff_apis(_built_documents(registry, chosen), chosen)


def _read_document(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractInputError(f"{path}: cannot read it: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ContractInputError(f"{path}: not JSON: {exc}") from exc


def diff(
    api_names: Annotated[
        list[str] | None, typer.Argument(metavar="[API]...", help="APIs to compare.", show_default="every API")
    ] = None,
    apis: ApisOption = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text, json, or markdown for a pull-request comment.")
    ] = "text",
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 1 when a finding at this level or above stands (accepted ones never do).")
    ] = "err",
    ignore: Annotated[
        Path | None,
        typer.Option(help="YAML list of accepted findings (id, operation, reason); they are listed, not failed."),
    ] = None,
    documents: Annotated[
        tuple[Path, Path] | None,
        typer.Option(metavar="LEGACY.json MIGRATED.json", help="Compare two saved documents instead."),
    ] = None,
) -> None:
    """Name every change a client would see between each API's legacy and migrated OpenAPI documents.

    ERR: a client that works against legacy breaks; WARN: may break, or changes generated
    clients; INFO: the rest. Exit 1 when a finding at or above --fail-on stands, 2 on bad input.
    """
    try:
        if documents is not None:
            if api_names or apis:
                raise ContractInputError("--documents compares two files: leave out API names and --apis")
            legacy, migrated = documents
            found = diff_documents("documents", _read_document(legacy), _read_document(migrated))
            reports = [ApiReport("documents", found)]
        else:
            reports = _registered_reports(api_names or [], apis)
        entries = load_ignore_file(ignore) if ignore is not None else ()
        marked, stale = accept([finding for report in reports for finding in report.findings], entries)
    except GatewayError as exc:
        raise fail(str(exc)) from exc
    by_api: dict[str, list[Any]] = {}
    for finding in marked:
        by_api.setdefault(finding.api, []).append(finding)
    reports = [ApiReport(report.api, by_api.get(report.api, []), report.note) for report in reports]
    typer.echo(RENDERERS[output_format](reports), nl=False)
    for entry in stale:
        typer.secho(
            f"warning: {ignore}: entry {entry.id} {entry.operation!r} matches no finding; remove it",
            err=True,
            fg=typer.colors.YELLOW,
        )
    if failing(marked, FAIL_ON[fail_on]):
        raise typer.Exit(code=1)
