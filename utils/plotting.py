"""The course's matplotlib style and saving figures for the report."""

from __future__ import annotations

from pathlib import Path

from utils.errors import CourseError
from utils.paths import figures_dir

STYLE_FILE = Path(__file__).with_name("course.mplstyle")


def use_course_style() -> None:
    """Apply the course's matplotlib style (colour-blind-safe palette, light grid)."""
    import matplotlib.pyplot as plt

    plt.style.use(STYLE_FILE)


def save_figure(fig, name: str) -> Path:
    """Save ``fig`` as ``<report dir>/figures/<name>.png`` and return the path."""
    if not name or "/" in name or name.startswith("."):
        raise CourseError(f"A figure name must be a plain file name such as 'learning_curve', got {name!r}.")
    path = figures_dir() / (name if name.endswith(".png") else f"{name}.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")  # nothing cut off: axis labels and legends outside the axes included
    return path
