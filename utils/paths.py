"""Where the course keeps things: the repository, the asset cache, the report.

Every location can be moved with an environment variable, so that tests and CI write
into a build folder and never into tracked files:

- ``COURSE_ASSETS_DIR``: the prepared offline assets (default ``<repo>/.assets``);
- ``COURSE_REPORT_DIR``: result records, figures and REPORT.md (default ``<repo>/report``).
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (``utils`` is installed in editable mode from it).
REPO_ROOT = Path(__file__).resolve().parent.parent


def _from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "").strip()
    path = Path(value).expanduser() if value else default
    return path if path.is_absolute() else (REPO_ROOT / path)


def assets_dir() -> Path:
    """The folder of prepared offline assets (``$COURSE_ASSETS_DIR`` or ``<repo>/.assets``)."""
    return _from_env("COURSE_ASSETS_DIR", REPO_ROOT / ".assets")


def report_dir() -> Path:
    """The report folder (``$COURSE_REPORT_DIR`` or ``<repo>/report``)."""
    return _from_env("COURSE_REPORT_DIR", REPO_ROOT / "report")


def results_dir() -> Path:
    """Where experiments write their JSON records: ``<report dir>/results``."""
    return report_dir() / "results"


def figures_dir() -> Path:
    """Where notebooks save figures for the report: ``<report dir>/figures``."""
    return report_dir() / "figures"


def notebooks_dir() -> Path:
    """The course's notebooks."""
    return REPO_ROOT / "notebooks"
