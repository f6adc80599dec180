"""Whether to colour what the gateway writes: only for a person at a terminal who has not said NO_COLOR."""

from __future__ import annotations

import os
from typing import TextIO


def wants_colour(stream: TextIO) -> bool:
    """True when `stream` is a terminal and NO_COLOR is unset or empty (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()
