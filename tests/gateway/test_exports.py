from __future__ import annotations

import gateway


def test_public_names_are_pinned() -> None:
    assert gateway.__all__ == ["ApiContext", "ApiRegistration", "ApiRegistry", "__version__"]


def test_every_public_name_is_importable() -> None:
    for name in gateway.__all__:
        assert getattr(gateway, name) is not None
