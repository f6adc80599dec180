"""Each API's contract diff in a running gateway, for `/_gateway/status`: so drift shows before a flip.

Counted once (the documents do not change while the server runs), on the first status
request and in a worker thread: building every document costs far more than the 50 ms
a request may hold the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping

import structlog

from gateway.contract import diff_apis
from gateway.contract.findings import counts
from gateway.lifecycle import ServedApi
from gateway.openapi import api_documents

log = structlog.get_logger("gateway")

ContractCounts = Mapping[str, Mapping[str, int] | None]


def count_findings(apis: Iterable[ServedApi]) -> ContractCounts:
    """By API, its findings not accepted at ERR and WARN; None for an API without a router."""
    apis = list(apis)
    reports = diff_apis(api_documents(apis), [api.name for api in apis])
    return {
        report.api: None if report.note else {level: counts(report.findings)[level] for level in ("err", "warn")}
        for report in reports
    }


class ContractStatus:
    """The contract counts of the APIs `apis` returns, computed on first use."""

    def __init__(self, apis: Callable[[], Iterable[ServedApi]]) -> None:
        self._apis = apis
        self._task: asyncio.Future[ContractCounts] | None = None

    async def counts(self) -> ContractCounts:
        task = self._task
        if task is None:
            task = self._task = asyncio.ensure_future(asyncio.to_thread(count_findings, list(self._apis())))
        try:
            # Shielded: a status request that goes away must not cancel the count the next one awaits.
            return await asyncio.shield(task)
        except Exception as exc:
            # A document that does not build is `gateway diff`'s to report; status just has no counts.
            log.warning("contract_unavailable", error=f"{type(exc).__name__}: {exc}")
            return {}
