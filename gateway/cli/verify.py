"""`gateway verify`: a team's recorded traffic replayed against one side, for CI before every flip."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated, Literal

import structlog
import typer

from gateway.cli.common import ApisOption, fail, load_settings, reported
from gateway.exceptions import did_you_mean
from gateway.loading import load_registry
from gateway.modes import Side
from gateway.offline import scratch_apis
from gateway.registry import ApiRegistry
from gateway.verify import VerifiedApi, VerifyReport, verify
from gateway.verify_render import as_json, as_junit, as_text
from proof.record import CorpusError

OutputFormat = Literal["text", "json"]


def _files(paths: list[Path]) -> list[Path]:
    """The files named, a directory standing for its `*.jsonl` files in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.exists():
            files.append(path)
        else:
            raise fail(f"{path}: no such file or directory")
    return files


def _run(registry: ApiRegistry, files: list[Path], side: Side, only: frozenset[str] | None) -> VerifyReport:
    async def run() -> VerifyReport:
        async with scratch_apis(registry) as apis:
            verified = {api.name: VerifiedApi(api.app(side), api.implementation) for api in apis}
            return await verify(files, verified, side, only)

    return asyncio.run(run())


def verify_command(
    paths: Annotated[list[Path], typer.Argument(help="Recording files, or directories of *.jsonl files.")],
    apis: ApisOption = None,
    api: Annotated[
        list[str] | None, typer.Option("--api", help="Verify this API's exchanges only (repeatable).")
    ] = None,
    side: Annotated[
        Side, typer.Option(help="The side replayed: the router, or legacy as its own regression check.")
    ] = ("migrated"),
    output_format: Annotated[OutputFormat, typer.Option("--format", help="How the report is printed.")] = "text",
    junit: Annotated[Path | None, typer.Option(help="Also write the report as JUnit XML to this file.")] = None,
) -> None:
    """Replay recorded exchanges against one side with their recorded outcomes and diff each answer.

    Exit 0 when every exchange matches; 1 on any mismatch or unverifiable exchange; 2 on bad
    input (an unreadable or garbage file, an unknown format, an unknown API).
    """
    # The report is stdout's, for pipes and --format json; what the APIs log goes to stderr, warnings and up:
    # each replayed exchange logs as it would when served, and a corpus's worth of those buries what matters.
    structlog.configure(
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
    )
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, force=True)
    with reported():
        registry = load_registry(load_settings(apis=apis).apis)
    names = [registration.name for registration in registry]
    for name in api or []:
        if name not in names:
            raise fail(f"--api {name}: unknown API{did_you_mean(name, names)}; registered: {', '.join(names)}")
    files = _files(paths)
    try:
        report = _run(registry, files, side, frozenset(api) if api else None)
    except CorpusError as exc:
        raise fail(str(exc)) from exc
    typer.echo(as_json(report) if output_format == "json" else as_text(report))
    if junit is not None:
        junit.write_bytes(as_junit(report))
    raise typer.Exit(0 if report.passed else 1)
