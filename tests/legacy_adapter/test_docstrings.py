from __future__ import annotations

import pytest

from legacy_adapter import Docstring, parse_docstring


def _documented() -> None:
    """Create a widget.

    Widgets are made to order
    and shipped the same day.

    Sizes are whole units.

    :param name: The name of the new widget.
    :param size: The size of the new widget,
        in whole units.
    :raises ValueError: If the size is negative.
    :returns: The created widget.
    """


@pytest.mark.parametrize("text", [pytest.param(None, id="none"), pytest.param("", id="empty")])
def test_parse_docstring_of_nothing_is_empty(text: str | None) -> None:
    assert parse_docstring(text) == Docstring()


def test_parse_docstring_summary_is_the_first_line() -> None:
    assert parse_docstring(_documented.__doc__).summary == "Create a widget."


def test_parse_docstring_summary_spanning_lines_is_joined() -> None:
    assert parse_docstring("Create a widget\n    of any size.\n\n    More.").summary == "Create a widget of any size."


def test_parse_docstring_description_is_the_rest_of_the_prose_dedented() -> None:
    assert parse_docstring(_documented.__doc__).description == (
        "Widgets are made to order\nand shipped the same day.\n\nSizes are whole units."
    )


def test_parse_docstring_without_description_paragraph_has_none() -> None:
    doc = parse_docstring("Delete a widget.\n\n    :param widget_id: The widget.\n    ")
    assert (doc.summary, doc.description) == ("Delete a widget.", None)


def test_parse_docstring_param_texts_by_name() -> None:
    assert parse_docstring(_documented.__doc__).params["name"] == "The name of the new widget."


def test_parse_docstring_multiline_param_text_is_joined() -> None:
    assert parse_docstring(_documented.__doc__).params["size"] == "The size of the new widget, in whole units."


def test_parse_docstring_raises_field_is_not_a_param() -> None:
    assert set(parse_docstring(_documented.__doc__).params) == {"name", "size"}


@pytest.mark.parametrize("field", [pytest.param("returns", id="returns"), pytest.param("return", id="return")])
def test_parse_docstring_returns_text(field: str) -> None:
    assert parse_docstring(f"Get it.\n\n:param x: An x.\n:{field}: The thing,\n    as stored.").returns == (
        "The thing, as stored."
    )


def test_parse_docstring_without_fields_has_no_params_or_returns() -> None:
    doc = parse_docstring("Just a summary.")
    assert doc == Docstring(summary="Just a summary.")
