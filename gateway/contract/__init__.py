"""Contract diff: what a client would see change between an API's legacy and migrated OpenAPI documents.

Knows nothing of the dispatcher: it reads two documents and a catalogue of checks, so
`gateway diff`, `flags check` and the status endpoint all ask it the same question.
"""

from gateway.contract.catalogue import CHECKS, ContractCheck
from gateway.contract.diff import NO_ROUTER, diff_apis, diff_documents
from gateway.contract.findings import ApiReport, Finding, Level, counts, failing
from gateway.contract.ignore import IgnoreEntry, accept, load_ignore_file
from gateway.contract.pairing import closest_twin
from gateway.contract.render import RENDERERS

__all__ = [
    "CHECKS",
    "NO_ROUTER",
    "RENDERERS",
    "ApiReport",
    "ContractCheck",
    "Finding",
    "IgnoreEntry",
    "Level",
    "accept",
    "closest_twin",
    "counts",
    "diff_apis",
    "diff_documents",
    "failing",
    "load_ignore_file",
]
