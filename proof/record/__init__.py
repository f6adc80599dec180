"""Recording: exchanges written down as JSON Lines (SPEC 11), so `gateway verify` can replay them later.

* `frame`: one exchange as the bytes the event loop encodes for the writer process.
* `line`: one exchange as one line of the format, its secrets redacted (in the writer process).
* `writer`: the worker's side: frames queued and sent to a writer process of its own.
* `writer_process`: that process: lines made and appended to rotated files.
* `rebuild`: reading lines back, streamed, as exchanges whose outcomes are the objects again.
"""

from proof.record.frame import encoded
from proof.record.line import FORMAT, REDACTED
from proof.record.rebuild import CorpusError, RecordedLine, Unverifiable, read_lines, rebuilt
from proof.record.writer import RecordWriter

__all__ = [
    "FORMAT",
    "REDACTED",
    "CorpusError",
    "RecordWriter",
    "RecordedLine",
    "Unverifiable",
    "encoded",
    "read_lines",
    "rebuilt",
]
