from __future__ import annotations

import re

import pytest

import apis
from gateway.exceptions import ApiModuleError
from gateway.loading import load_registry


def test_load_registry_finds_the_module_registry() -> None:
    assert load_registry("apis") is apis.registry


def test_load_registry_accepts_module_colon_attribute() -> None:
    assert load_registry("apis.registry:registry") is apis.registry


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("no_such_module", "could not import module 'no_such_module'", id="missing-module"),
        pytest.param(
            "apis:nothing_here", "apis:nothing_here must be a gateway.ApiRegistry, found nothing", id="missing-attr"
        ),
        pytest.param("apis.registry:LEGACY_PROTOCOLS", "found dict", id="wrong-type"),
        pytest.param(":registry", "must be in format '<module>' or '<module>:<attribute>'", id="no-module"),
        pytest.param("apis:not an attr", "must be in format", id="bad-attr"),
    ],
)
def test_load_registry_bad_spec_names_the_problem(spec: str, message: str) -> None:
    with pytest.raises(ApiModuleError, match=re.escape(message)):
        load_registry(spec)
