"""The course's shared helpers.

Import this package before any Hugging Face library: importing it applies the course
mode's environment (in offline mode, the Hugging Face offline flags), which the
libraries read when they are imported.

The modules:

- :mod:`utils.modes`: the ``offline``/``hub`` modes and their environment, and :func:`expect`
  (a check that the hub rehearsal reports instead of asserting);
- :mod:`utils.environment`: :func:`setup` (seeds, mode, quiet logs, versions) and :func:`param`;
- :mod:`utils.catalog`: which model or dataset each role is, in each mode;
- :mod:`utils.assets` and :mod:`course_build.recipes`: preparing and verifying the offline assets;
- :mod:`utils.measure`: time, memory, FLOPs and parameter counts;
- :mod:`utils.records` and :mod:`utils.report`: result records and the Markdown report;
- :mod:`utils.plotting`: the course's figure style; :mod:`utils.checks`: exercise checks;
- :mod:`course_build.hub_standin` and :mod:`course_build.hub_rehearsal`: a local Hub stand-in and the
  rehearsal of hub mode against it (``make test-hub``).
"""

from utils.modes import apply_mode_environment, expect

apply_mode_environment()

from utils import catalog  # noqa: E402
from utils.environment import param, setup  # noqa: E402
from utils.errors import CourseError  # noqa: E402

__all__ = ["CourseError", "catalog", "expect", "param", "setup"]
