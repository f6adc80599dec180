"""Small state files the workers of one server share (rollbacks, shadow mismatches): always written whole.

A file is written beside its final name and renamed over it, so a worker reading it at any
moment sees the old text or the new, never half of one. No fsync: these files describe the
running server only and are rebuilt by it, unlike the flag file (`gateway.flags_editor`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_whole(path: Path, text: str) -> None:
    """Replace the file at `path` with `text` in one rename."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
