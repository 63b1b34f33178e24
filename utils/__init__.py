"""The course's shared helpers.

Import this package before any Hugging Face library: importing it applies the course
mode's environment (in offline mode, the Hugging Face offline flags), which the
libraries read when they are imported.

This is the learner's package: only what the notebooks (and the apps and exercises) import.
What builds and tests the course (asset preparation, the notebook runner, the hub rehearsal,
the lab launcher, the exporter) is the separate package ``course_build``, which this one never
imports.

The modules:

- :mod:`utils.modes`: the ``offline``/``hub`` modes and their environment, and :func:`expect`
  (a check that the hub rehearsal reports instead of asserting);
- :mod:`utils.environment`: :func:`setup` (seeds, mode, quiet logs, versions); :mod:`utils.params`: :func:`param`;
- :mod:`utils.catalog`: which model or dataset each role is, in each mode; :mod:`utils.assets`:
  whether the prepared offline assets are intact; :mod:`utils.data`: splits; :mod:`utils.hub`: a seeded Hub cache;
- :mod:`utils.measure`: time, memory, FLOPs and parameter counts;
- :mod:`utils.records` and :mod:`utils.report`: result records and the Markdown report;
- :mod:`utils.plotting`: the course's figure style;
- :mod:`utils.exercises`: the exercise framework (each notebook's exercises: ``exercises/<notebook>.py``);
- :mod:`utils.net`, :mod:`utils.launch`, :mod:`utils.serving`: ports, probes, local servers,
  ``accelerate launch`` and the serving lesson's processes;
- lesson helpers written in a notebook's ``#@save`` cells: :mod:`utils.accelerate_loop` (08),
  :mod:`utils.benchmark` (09), :mod:`utils.onnx_export` (10), :mod:`utils.service_timing` (12),
  :mod:`utils.web_app` (16: the model in the browser and in Node), :mod:`utils.report_tables`
  (17: the main and evaluation tables that :mod:`utils.report` writes), with :mod:`utils.export`'s ``add_to_class``.
"""

from utils.modes import apply_mode_environment, expect

apply_mode_environment()

from utils import catalog  # noqa: E402
from utils.environment import param, setup  # noqa: E402
from utils.errors import CourseError  # noqa: E402

__all__ = ["CourseError", "catalog", "expect", "param", "setup"]
