"""The LibCST builders the generated files are made of: names, calls, string literals, parameters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

N = TypeVar("N", bound=cst.CSTNode)

# A text longer than a line can hold becomes implicitly concatenated pieces of whole words, so no
# line outgrows a project's line length; the formatter joins pieces again where they fit.
_LONGEST = 88
_PIECE = 72
_WORD = re.compile(r"\S+\s*|\s+")

_NO_SPACE = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
_SPACED = cst.AssignEqual()


def expression(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def code_of(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _piece(text: str) -> cst.SimpleString:
    # repr() escapes whatever a Python literal must; the formatter picks the quotes.
    return cst.SimpleString(repr(text))


def text(value: str) -> cst.BaseExpression:
    """A string literal of `value`; a long one in pieces of whole words, the same characters in all."""
    if len(value) <= _LONGEST:
        return _piece(value)
    pieces: list[str] = []
    for word in _WORD.findall(value):
        if pieces and len(pieces[-1]) + len(word) <= _PIECE:
            pieces[-1] += word
        else:
            pieces.append(word)
    joined: cst.BaseExpression = _piece(pieces[-1])
    for piece in reversed(pieces[:-1]):
        joined = cst.ConcatenatedString(left=_piece(piece), right=joined)  # type: ignore[arg-type]
    return joined.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value=value, keyword=cst.Name(name), equal=_NO_SPACE)


def call(function: str | cst.BaseExpression, *args: cst.Arg) -> cst.Call:
    func = expression(function) if isinstance(function, str) else function
    return cst.Call(func=func, args=args)


def subscript(value: str, elements: Sequence[cst.BaseExpression]) -> cst.Subscript:
    return cst.Subscript(
        value=expression(value), slice=[cst.SubscriptElement(cst.Index(element)) for element in elements]
    )


def parameter(name: str, annotation: cst.BaseExpression, default: cst.BaseExpression | None = None) -> cst.Param:
    return cst.Param(
        name=cst.Name(name),
        annotation=cst.Annotation(annotation),
        default=default,
        equal=_SPACED if default is not None else cst.MaybeSentinel.DEFAULT,
    )


def docstring(value: str) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{value}"""'))])


def blank_lines(node: N, count: int) -> N:
    """`node` with `count` blank lines before it (the formatter settles the final number)."""
    return node.with_changes(leading_lines=[cst.EmptyLine()] * count)
