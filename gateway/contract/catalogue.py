"""The contract checks, in the order findings are reported: id, level, sentence, and the function that looks.

The ids are stable: an ignore file, a CI log and the README name checks by them. A
sentence says what changed, on which side, and what it does to a client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gateway.contract import checks
from gateway.contract.findings import Hit, Level
from gateway.contract.pairing import Pair


@dataclass(frozen=True)
class ContractCheck:
    id: str
    level: Level
    template: str
    """A sentence with ``{operation}`` and the placeholders its function's hits fill."""
    find: Callable[[Pair], Iterator[Hit]]


CHECKS: tuple[ContractCheck, ...] = (
    ContractCheck(
        "operation-legacy-only",
        Level.ERR,
        "{operation}: legacy serves it and the router has no twin, so it stays on legacy while the API is "
        "migrated{hint}",
        checks.legacy_only,
    ),
    ContractCheck(
        "path-parameter-renamed",
        Level.ERR,
        "{operation}: the router spells it {migrated}; the gateway pairs routes by their exact template, so this "
        "route stays on legacy while the API is migrated; name the parameters as legacy does",
        checks.path_parameter_renamed,
    ),
    ContractCheck(
        "method-changed",
        Level.ERR,
        "{operation}: method {legacy} (legacy) became {migrated} (migrated); clients calling {legacy} get 405",
        checks.method_changed,
    ),
    ContractCheck(
        "operation-migrated-only",
        Level.INFO,
        "{operation}: new in the router; legacy never served it",
        checks.migrated_only,
    ),
    ContractCheck(
        "auth-changed",
        Level.ERR,
        "{operation}: security requirement {legacy} (legacy) became {migrated} (migrated); a flip changes who gets in",
        checks.security_changed,
    ),
    ContractCheck(
        "request-media-type-changed",
        Level.ERR,
        "{operation}: request body {legacy} (legacy) became {migrated} (migrated); clients sending {legacy} are "
        "refused",
        checks.request_media_type_changed,
    ),
    ContractCheck(
        "request-parameter-location-changed",
        Level.ERR,
        "{operation}: `{name}` moved from {legacy} (legacy) to {migrated} (migrated); clients still send it in "
        "the {legacy}, where the router no longer reads it",
        checks.location_changed,
    ),
    ContractCheck(
        "request-parameter-removed",
        Level.ERR,
        "{operation}: {location} `{name}` (legacy) is not in the router's request; what clients send there is "
        "silently dropped or refused",
        checks.input_removed,
    ),
    ContractCheck(
        "request-parameter-required-added",
        Level.ERR,
        "{operation}: {location} `{name}` is new and required (migrated); clients that do not send it get 400",
        checks.required_added,
    ),
    ContractCheck(
        "request-parameter-became-required",
        Level.ERR,
        "{operation}: {location} `{name}` was optional (legacy) and is required (migrated); clients that leave it "
        "out get 400",
        checks.became_required,
    ),
    ContractCheck(
        "request-type-narrowed",
        Level.ERR,
        "{operation}: {location} `{name}` accepts less: {legacy} (legacy) became {migrated} (migrated); values "
        "legacy accepted now get 400",
        checks.type_narrowed,
    ),
    ContractCheck(
        "success-status-changed",
        Level.ERR,
        "{operation}: success status {legacy} (legacy) became {migrated} (migrated); clients that check for "
        "{legacy} break",
        checks.success_status_changed,
    ),
    ContractCheck(
        "streaming-removed",
        Level.ERR,
        "{operation}: legacy can answer a text/event-stream and the router documents none; streaming clients break",
        checks.streaming_removed,
    ),
    ContractCheck(
        "response-media-type-changed",
        Level.ERR,
        "{operation}: success body {legacy} (legacy) became {migrated} (migrated); clients parsing {legacy} break",
        checks.response_media_type_changed,
    ),
    ContractCheck(
        "response-field-removed",
        Level.ERR,
        "{operation}: response field `{name}` (legacy) is not in the router's response; clients reading it break",
        checks.response_field_removed,
    ),
    ContractCheck(
        "streaming-added",
        Level.WARN,
        "{operation}: the router documents a text/event-stream answer legacy does not; check that clients asking "
        "for none still get JSON",
        checks.streaming_added,
    ),
    ContractCheck(
        "response-field-became-optional",
        Level.WARN,
        "{operation}: response field `{name}` is always there (legacy) and may be missing (migrated); clients "
        "reading it may break, generated clients change its type",
        checks.response_field_optional,
    ),
    ContractCheck(
        "deprecation-added",
        Level.WARN,
        "{operation}: deprecated in the router and not in legacy; generated clients start warning",
        checks.deprecation_added,
    ),
    ContractCheck(
        "request-parameter-optional-added",
        Level.INFO,
        "{operation}: {location} `{name}` is new and optional (migrated)",
        checks.optional_added,
    ),
    ContractCheck(
        "request-type-widened",
        Level.INFO,
        "{operation}: {location} `{name}` accepts more: {legacy} (legacy) became {migrated} (migrated)",
        checks.type_widened,
    ),
    ContractCheck(
        "response-field-added",
        Level.INFO,
        "{operation}: response field `{name}` is new (migrated)",
        checks.response_field_added,
    ),
    ContractCheck(
        "deprecation-removed",
        Level.INFO,
        "{operation}: deprecated in legacy and not in the router",
        checks.deprecation_removed,
    ),
)

CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
