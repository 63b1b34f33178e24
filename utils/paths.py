"""Where the course keeps things: the repository, the asset cache, the report.

Every location can be moved with an environment variable, so that tests and CI write
into a build folder and never into tracked files:

- ``COURSE_ASSETS_DIR``: the prepared offline assets (default ``<repo>/.assets``);
- ``COURSE_REPORT_DIR``: where a run writes its records, figures and report (default
  ``<repo>/my-report``, git-ignored: the learner's own run; ``my-report/hub`` in hub mode).

The tracked ``report/`` holds the course's reference run; only ``make report`` (a
maintainer's step) refreshes it, from a full run that succeeded.
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


#: The tracked reference run: records, figures and REPORT.md committed with the course.
REFERENCE_DIR = REPO_ROOT / "report"
#: The learner's own run, by default.
LEARNER_DIR = REPO_ROOT / "my-report"


def report_dir() -> Path:
    """Where this run writes records and figures: ``$COURSE_REPORT_DIR``, else ``<repo>/my-report``
    (``<repo>/my-report/hub`` in hub mode, so that hub and offline records never mix)."""
    from utils.modes import get_mode

    return _from_env("COURSE_REPORT_DIR", LEARNER_DIR / "hub" if get_mode() == "hub" else LEARNER_DIR)


def results_dir() -> Path:
    """Where experiments write their JSON records: ``<report dir>/results``."""
    return report_dir() / "results"


def figures_dir() -> Path:
    """Where notebooks save figures for the report: ``<report dir>/figures``."""
    return report_dir() / "figures"


def notebooks_dir() -> Path:
    """The course's notebooks."""
    return REPO_ROOT / "notebooks"


def course_notebooks() -> list[Path]:
    """The course's notebooks, in order (``NN_topic.ipynb``)."""
    return sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
