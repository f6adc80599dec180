"""`python -m bench.peak_memory FILE MODULE ARGS...`: run MODULE as `python -m MODULE ARGS...` and, at exit,
write its peak resident memory in KiB (VmHWM) to FILE.

A child's `ru_maxrss` is no measure of it here: Linux keeps, across `exec`, the high-water mark
of the process it was started from, so every child of a bench process grown to 250 MiB
seemed to peak at 250 MiB. VmHWM, read by the process itself, is its own.
"""

from __future__ import annotations

import atexit
import runpy
import sys
from pathlib import Path


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    target, module, *args = sys.argv[1:]
    atexit.register(lambda: Path(target).write_text(str(_peak_kib())))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
