"""Reading `:param name: text` docstrings, as the old OpenAPI generator did."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_FIELD = re.compile(r"^:(param|returns?|raises?)\s*([\w.]*)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Docstring:
    summary: str | None = None
    description: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    returns: str | None = None


def parse_docstring(text: str | None) -> Docstring:
    """Split a docstring into summary, description, parameter texts and the returns text.

    A field's text continues on following indented or non-field lines.
    """
    if not text:
        return Docstring()
    prose: list[str] = []
    fields: list[tuple[str, str, list[str]]] = []
    # Dedent first, as the old generator did: a docstring in a class body is indented.
    for line in inspect.cleandoc(text).splitlines():
        stripped = line.strip()
        match = _FIELD.match(stripped)
        if match:
            fields.append((match[1], match[2], [match[3]]))
        elif fields and stripped:
            fields[-1][2].append(stripped)
        elif not fields:
            prose.append(line)
    paragraphs = "\n".join(prose).strip().split("\n\n", 1)
    summary = " ".join(paragraphs[0].split()) or None
    description = paragraphs[1].strip() if len(paragraphs) > 1 else None
    params = {name: " ".join(lines) for kind, name, lines in fields if kind == "param"}
    returns = next((" ".join(lines) for kind, _, lines in fields if kind.startswith("return")), None)
    return Docstring(summary=summary, description=description, params=params, returns=returns)
