from __future__ import annotations

import gateway


def test_public_names_are_pinned() -> None:
    assert gateway.__all__ == ["ApiContext", "ApiRegistration", "ApiRegistry", "__version__"]


def test_contract_public_names_are_pinned() -> None:
    import gateway.contract

    assert gateway.contract.__all__ == [
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


def test_scaffold_public_names_are_pinned() -> None:
    import gateway.scaffold

    assert gateway.scaffold.__all__ == ["Written", "scaffold_files", "served_routes", "shown"]
