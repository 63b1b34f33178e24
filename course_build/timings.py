"""A pytest plugin of the runner: print each notebook's time as it finishes, and log it for ``make``'s summary.

``python -m course_build.runner`` loads it (``-p course_build.timings``) beside nbmake and sets
``COURSE_TIMINGS_LOG`` to ``build/timings.log``, so that ``make test`` ends with every
notebook's time in its summary of steps; without that variable (the runner's own tests) it
only prints.
"""

from __future__ import annotations

import os
from pathlib import Path

LOG_VARIABLE = "COURSE_TIMINGS_LOG"


def pytest_runtest_logreport(report) -> None:
    if report.when != "call":
        return
    name = Path(report.nodeid.split("::")[0]).stem
    line = f"[make]   notebook {name}: {report.duration:.0f} s ({report.outcome})"
    print(f"\n{line}", flush=True)
    log = os.environ.get(LOG_VARIABLE)
    if log:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a") as handle:
            handle.write(line + "\n")
