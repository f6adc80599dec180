"""Recording: exchanges written down as JSON Lines (SPEC 11), so `gateway verify` can replay them later.

* `line`: one exchange as one line of the format, its secrets redacted.
* `writer`: appending lines to rotated files from a thread of its own, off the event loop.
* `rebuild`: reading lines back, streamed, as exchanges whose outcomes are the objects again.
"""

from proof.record.line import FORMAT, REDACTED, exchange_line
from proof.record.rebuild import CorpusError, RecordedLine, Unverifiable, read_lines, rebuilt
from proof.record.writer import RecordWriter

__all__ = [
    "FORMAT",
    "REDACTED",
    "CorpusError",
    "RecordWriter",
    "RecordedLine",
    "Unverifiable",
    "exchange_line",
    "read_lines",
    "rebuilt",
]
