"""Shared pytest set-up: keep test outputs out of tracked files, and print notebook times."""

import os
import time

# Records, figures and reports written while testing go to the build folder, never into
# the tracked report/ (the Makefile sets the same; this covers a bare `pytest`).
os.environ.setdefault("COURSE_REPORT_DIR", "build/test-report")

_notebook_times: dict[str, float] = {}
_session_start = time.perf_counter()


def pytest_runtest_logreport(report):
    if report.when == "call" and report.nodeid.endswith(".ipynb"):
        _notebook_times[report.nodeid] = report.duration


def pytest_terminal_summary(terminalreporter):
    if not _notebook_times:
        return
    terminalreporter.section("notebook times")
    for nodeid, seconds in sorted(_notebook_times.items()):
        terminalreporter.write_line(f"{seconds:8.1f} s  {nodeid}")
    terminalreporter.write_line(f"{sum(_notebook_times.values()):8.1f} s  all notebooks "
                                f"(whole session {time.perf_counter() - _session_start:.1f} s)")
