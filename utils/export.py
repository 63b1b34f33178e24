"""Lesson helpers written in a notebook's cells and used again later, the d2l way.

A helper that is a lesson's subject (the accelerate loop of 08, the benchmark of 09) is
written in that notebook's cells, where the learner reads and edits it. Cells whose first
line is ``#@save`` are exported to the module named in the notebook's metadata, which later
notebooks, scripts and tests import (the exporter, ``python -m course_build.export``, is
the machinery's; a test keeps each module identical to its notebook).

:func:`add_to_class` lets a later cell add a method to a class defined in an earlier one,
so that each cell stays short (d2l's ``@d2l.add_to_class``).
"""

from __future__ import annotations

MARK = "#@save"


def add_to_class(cls):
    """Decorator: attach the decorated function to ``cls`` as a method of the same name."""
    def attach(function):
        setattr(cls, function.__name__, function)
        return function
    return attach
