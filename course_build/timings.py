"""A pytest plugin of the runner: print each notebook's time as it finishes and add it to ``build/timings.log``.

``python -m course_build.runner`` loads it (``-p course_build.timings``) beside nbmake, so
that ``make test`` ends with every notebook's time in its summary of steps.
"""

from __future__ import annotations

from pathlib import Path

TIMINGS = Path(__file__).resolve().parent.parent / "build" / "timings.log"


def pytest_runtest_logreport(report) -> None:
    if report.when != "call":
        return
    name = Path(report.nodeid.split("::")[0]).stem
    line = f"[make]   notebook {name}: {report.duration:.0f} s ({report.outcome})"
    print(f"\n{line}", flush=True)
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    with open(TIMINGS, "a") as log:
        log.write(line + "\n")
