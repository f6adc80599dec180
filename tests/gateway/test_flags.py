from __future__ import annotations

from pathlib import Path

import pytest

from gateway.exceptions import FlagsError
from gateway.flags import FlagFile, FlagsSnapshot, changes, check_against_routes, parse_flags, resolve
from gateway.routes import GatewayRoute

PATH = Path("config/migration.yaml")
ROUTES = (
    GatewayRoute("models", "GET", "/v1/models", legacy=True, migrated=True),
    GatewayRoute("models", "GET", "/v1/models/{model_id:path}", legacy=True, migrated=True),
    GatewayRoute("batches", "GET", "/v1/batches/{batch_id}", legacy=True, migrated=True),
    GatewayRoute("batches", "POST", "/v1/batches/{batch_id}/cancel", legacy=True, migrated=True),
    GatewayRoute("providers", "GET", "/v1/providers", legacy=True, migrated=False),
)


def _snapshot(text: str) -> FlagsSnapshot:
    flags = parse_flags(text, PATH)
    check_against_routes(flags, PATH, ROUTES)
    return resolve(flags, str(PATH), text, ROUTES)


def _error(text: str) -> FlagsError:
    with pytest.raises(FlagsError) as caught:
        _snapshot(text)
    return caught.value


def test_flags_short_and_long_forms_parse() -> None:
    flags = parse_flags(
        "default: migrated\napis:\n  models: legacy\n  batches:\n    mode: migrated\n    routes:\n"
        '      "POST /v1/batches/{batch_id}/cancel": legacy\n',
        PATH,
    )
    assert flags.default == "migrated"
    assert flags.api_flags("models").mode == "legacy"
    assert flags.api_flags("batches").routes == {"POST /v1/batches/{batch_id}/cancel": "legacy"}
    assert flags.api_flags("files").mode is None


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        pytest.param("apis:\n  modles: migrated\n", "apis.modles", "did you mean 'models'?", id="unknown-api"),
        pytest.param("apis:\n  models: migratd\n", "apis.models", "did you mean 'migrated'?", id="unknown-mode"),
        pytest.param("default: legasy\n", "default", "did you mean 'legacy'?", id="unknown-default"),
        pytest.param(
            "apis:\n  models:\n    mode: migrated\n    rootes: {}\n",
            "apis.models.rootes",
            "did you mean 'routes'?",
            id="unknown-long-form-key",
        ),
        pytest.param("defaults: legacy\n", "defaults", "did you mean 'default'?", id="unknown-top-key"),
        pytest.param(
            'apis:\n  models:\n    routes:\n      "GET /v1/models/{model_id}": legacy\n',
            "apis.models.routes.GET /v1/models/{model_id}",
            "did you mean 'GET /v1/models/{model_id:path}'?",
            id="route-key-near-miss",
        ),
        pytest.param("apis:\n  providers: migrated\n", "apis.providers", "has no router yet", id="no-router"),
        pytest.param(
            "apis:\n  models:\n    mode: migratd\n", "apis.models.mode", "did you mean 'migrated'?", id="long-form-mode"
        ),
        pytest.param(
            'apis:\n  models:\n    routes:\n      "GET /v1/models": legasy\n',
            "apis.models.routes.GET /v1/models",
            "did you mean 'legacy'?",
            id="route-override-mode",
        ),
    ],
)
def test_flags_error_names_file_key_and_closest_name(text: str, key: str, message: str) -> None:
    error = _error(text)
    assert error.key == key
    assert str(error).startswith(f"{PATH}: {key}: ")
    assert message in str(error)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "the file is empty", id="empty"),
        pytest.param("# only a comment\n", "the file is empty", id="only-comments"),
        pytest.param("apis:\n  models: [\n", "YAML syntax error at line 3", id="syntax-error-names-line"),
        pytest.param("- legacy\n", "must be a mapping", id="not-a-mapping"),
    ],
)
def test_flags_unusable_file_is_an_error(text: str, message: str) -> None:
    assert message in str(_error(text))


def test_flags_resolution_prefers_route_then_api_then_default() -> None:
    snapshot = _snapshot(
        "default: migrated\napis:\n  batches:\n    mode: legacy\n    routes:\n"
        '      "POST /v1/batches/{batch_id}/cancel": migrated\n'
    )
    decisions = {key: (d.backend, d.reason) for key, d in snapshot.decisions.items()}
    assert decisions["POST /v1/batches/{batch_id}/cancel"] == ("migrated", "route")
    assert decisions["GET /v1/batches/{batch_id}"] == ("legacy", "api")
    assert decisions["GET /v1/models"] == ("migrated", "default")


def test_flags_default_migrated_leaves_an_api_without_router_on_legacy() -> None:
    snapshot = _snapshot("default: migrated\n")
    assert snapshot.decisions["GET /v1/providers"].backend == "legacy"
    assert snapshot.api_backends["providers"] == "legacy"


def test_flags_changes_report_an_api_flip_once() -> None:
    before = _snapshot("default: legacy\n")
    after = _snapshot("default: legacy\napis:\n  models: migrated\n")
    assert changes(before, after) == [{"api": "models", "route": None, "old": "legacy", "new": "migrated"}]


def test_flags_changes_report_a_route_override_by_its_key() -> None:
    before = _snapshot("apis:\n  batches: migrated\n")
    after = _snapshot(
        'apis:\n  batches:\n    mode: migrated\n    routes:\n      "GET /v1/batches/{batch_id}": legacy\n'
    )
    assert changes(before, after) == [
        {"api": "batches", "route": "GET /v1/batches/{batch_id}", "old": "migrated", "new": "legacy"}
    ]


def test_flags_changes_of_nothing_are_empty() -> None:
    assert changes(_snapshot("default: legacy\n"), _snapshot("default: legacy\napis:\n  models: legacy\n")) == []


def test_flag_file_is_frozen() -> None:
    with pytest.raises(ValueError):
        FlagFile().default = "migrated"


THINGS = (
    GatewayRoute("things", "GET", "/v1/things", legacy=True, migrated=True),
    GatewayRoute("things", "GET", "/v1/things/{thing_id}", legacy=True, migrated=False),
    GatewayRoute("things", "GET", "/v1/things/{id}", legacy=False, migrated=True),
)


@pytest.mark.parametrize(
    ("text", "partial"),
    [
        pytest.param("apis:\n  things: migrated\n", True, id="api-migrated"),
        pytest.param("default: migrated\n", True, id="default-migrated"),
        pytest.param("default: migrated\napis:\n  things: legacy\n", False, id="api-legacy"),
        pytest.param(
            'apis:\n  things:\n    routes:\n      "GET /v1/things": migrated\n', False, id="route-override-only"
        ),
    ],
)
def test_flags_partial_migration_only_where_the_api_mode_needs_its_router(text: str, partial: bool) -> None:
    flags = parse_flags(text, PATH)
    snapshot = resolve(flags, str(PATH), text, THINGS)
    assert ("things" in snapshot.partial) is partial
    # Named or not, the route without a twin is served by legacy: nothing else can serve it.
    assert snapshot.decisions["GET /v1/things/{thing_id}"].backend == "legacy"


def test_flags_migrated_override_of_a_route_without_twin_is_an_error() -> None:
    text = 'apis:\n  things:\n    routes:\n      "GET /v1/things/{thing_id}": migrated\n'
    with pytest.raises(FlagsError, match="route 'GET /v1/things/{thing_id}' has no migrated side"):
        check_against_routes(parse_flags(text, PATH), PATH, THINGS)


def test_flags_shadow_with_sample_at_api_and_route_level() -> None:
    snapshot = _snapshot(
        "apis:\n  models:\n    mode: shadow\n    sample: 0.25\n    routes:\n"
        '      "GET /v1/models": {mode: shadow, sample: 0.5}\n'
        "  batches:\n    routes:\n"
        '      "POST /v1/batches/{batch_id}/cancel": shadow\n'
    )
    decisions = snapshot.decisions
    assert (decisions["GET /v1/models"].mode, decisions["GET /v1/models"].sample) == ("shadow", 0.5)
    model = decisions["GET /v1/models/{model_id:path}"]
    assert (model.mode, model.sample, model.reason, model.backend) == ("shadow", 0.25, "api", "legacy")
    cancel = decisions["POST /v1/batches/{batch_id}/cancel"]
    assert (cancel.mode, cancel.sample, cancel.reason, cancel.backend) == ("shadow", 1.0, "route", "legacy")
    assert snapshot.api_backends["models"] == "shadow"


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        pytest.param("apis:\n  providers: shadow\n", "apis.providers", "has no router yet", id="no-router"),
        pytest.param(
            "apis:\n  models:\n    mode: migrated\n    sample: 0.5\n",
            "apis.models",
            "`sample` is a field of mode shadow, not of mode migrated",
            id="sample-of-another-mode",
        ),
        pytest.param(
            "apis:\n  models:\n    mode: shadow\n    sample: 1.5\n",
            "apis.models.sample",
            "less than or equal to 1",
            id="sample-over-one",
        ),
        pytest.param(
            'apis:\n  models:\n    routes:\n      "GET /v1/models": {mode: shadow, sampel: 0.5}\n',
            "apis.models.routes.GET /v1/models.sampel",
            "(did you mean 'sample'?); allowed: mode, sample",
            id="route-long-form-typo",
        ),
        pytest.param(
            'apis:\n  models:\n    routes:\n      "GET /v1/models": {mode: shadw}\n',
            "apis.models.routes.GET /v1/models.mode",
            "did you mean 'shadow'?",
            id="route-long-form-mode",
        ),
        pytest.param(
            'apis:\n  providers:\n    routes:\n      "GET /v1/providers": shadow\n',
            "apis.providers.routes.GET /v1/providers",
            "has no migrated side",
            id="route-without-twin",
        ),
    ],
)
def test_flags_shadow_errors_name_the_key(text: str, key: str, message: str) -> None:
    error = _error(text)
    assert error.key == key, str(error)
    assert message in str(error)


def test_flags_changes_report_a_switch_to_shadow() -> None:
    before, after = _snapshot("default: legacy\n"), _snapshot("apis:\n  models: shadow\n")
    assert changes(before, after) == [{"api": "models", "route": None, "old": "legacy", "new": "shadow"}]


def test_flags_record_share_applies_where_legacy_answers() -> None:
    snapshot = _snapshot(
        "apis:\n  models:\n    mode: shadow\n    record: 0.5\n    routes:\n"
        '      "GET /v1/models": migrated\n'
        "  providers:\n    record: 1\n"
    )
    decisions = snapshot.decisions
    assert decisions["GET /v1/models/{model_id:path}"].record == 0.5
    # The route the router answers has no legacy exchange to record.
    assert decisions["GET /v1/models"].record == 0.0
    assert decisions["GET /v1/providers"].record == 1.0
    assert decisions["GET /v1/batches/{batch_id}"].record == 0.0


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        pytest.param(
            "apis:\n  models:\n    mode: migrated\n    record: 1\n",
            "apis.models",
            "`record` is a field of modes legacy and shadow, not of mode migrated",
            id="record-in-migrated",
        ),
        pytest.param(
            "apis:\n  models:\n    record: 2\n", "apis.models.record", "less than or equal to 1", id="record-over-one"
        ),
    ],
)
def test_flags_record_errors_name_the_key(text: str, key: str, message: str) -> None:
    error = _error(text)
    assert error.key == key, str(error)
    assert message in str(error)
