"""The one exception type the course raises for problems a user can fix.

Its message is a single sentence that says what went wrong and what to do, so a
notebook or ``make`` shows it without a long traceback of library internals.
"""


class CourseError(Exception):
    """A problem the user can fix (bad argument, missing asset, wrong mode), with what to do."""
