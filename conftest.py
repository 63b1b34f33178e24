"""Shared pytest set-up: keep test outputs out of tracked files and out of your own report."""

import os

# Records, figures and reports written while testing go to the build folder, never into the
# tracked report/ nor into your my-report/ (the Makefile sets the same; this covers a bare `pytest`).
os.environ.setdefault("COURSE_REPORT_DIR", "build/test-report")
