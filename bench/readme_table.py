"""``python -m bench.readme_table``: put the table of the latest run into README.md, on purpose.

`make bench` writes its rows to `bench/results/latest.json` (ignored by git, so a run leaves
the work tree clean); this command copies that run's table, between the README's
``<!-- bench-table -->`` markers, when a run is worth publishing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.report import RESULTS_PATH

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench-table -->", "<!-- /bench-table -->"


def with_table(readme: str, document: Mapping[str, Any]) -> str:
    """`readme` with the text between the markers replaced by the run's table, summary and date."""
    before, start, rest = readme.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md has no {START} ... {END} block to fill")
    block = (
        f"\nRun of {document['generated_at']} ({document['seconds']} s, {document['rounds']} rounds):\n\n"
        f"```\n{document['table']}\n\n{document['summary']}\n```\n\n"
        + "".join(f"* {note}\n" for note in document["notes"])
    )
    return before + START + block + END + after


def main(argv: list[str] | None = None) -> int:
    results = Path(argv[0]) if argv else RESULTS_PATH
    if not results.exists():
        print(f"no results at {results}: run `make bench` first", file=sys.stderr)
        return 2
    README.write_text(with_table(README.read_text(encoding="utf-8"), json.loads(results.read_text())), "utf-8")
    print(f"README.md: performance table from {results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
