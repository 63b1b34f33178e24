"""The "Try it" exercises: answer, check, hint, solution (in the spirit of Kaggle's learntools).

In a notebook::

    from utils.exercises import exercises

    q1, q2 = exercises("00_setup")

The answer cell (tagged ``exercise-1``) holds a placeholder that the learner replaces::

    embedding_share = ...

and the cell after it checks the answer::

    q1.check(embedding_share, encoder)
    # q1.hint()      the idea, not the code
    # q1.solution()  the reference solution

``check`` prints one line: "Correct: ...", "Not yet: <what is off>", "Not answered yet", or
"Nothing to check yet: <what to run first>" when there is nothing to compare the answer with.
It never stops a learner's notebook; in strict mode (``COURSE_EXERCISES=strict``, set by the
solutions run of ``make test``) anything but a correct answer raises ``AssertionError``.

Each notebook's exercises live together in one file, ``exercises/<notebook>.py`` (learntools'
shape): its checks, registered with their hints by :func:`register`, and ``SOLUTIONS``, the
reference solution of each exercise and the plausible wrong answers its check must reject::

    # %% Exercise 1
    embedding_share = ...reference code...

    # %% Exercise 1: wrong (the word embeddings alone)
    embedding_share = ...

This module is the small shared framework: :class:`Exercise`, :func:`register`, :class:`Wrong`,
:class:`NothingToCheck`, the helpers that read an answer (:func:`number`, :func:`share`, :func:`integer`, :func:`close`), and
:func:`solved_notebook`.

:func:`solved_notebook` puts the solutions in place of the placeholders (and adds cells
that prove each check rejects its placeholder and its wrong answers), for CI and for
``make solutions``.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from utils.errors import CourseError
from utils.paths import REPO_ROOT

EXERCISES_DIR = REPO_ROOT / "exercises"
STRICT_VARIABLE = "COURSE_EXERCISES"
SECTION = re.compile(r"^# %% Exercise (\d+)(: wrong)?[^\n]*$", re.MULTILINE)
ANSWER_TAG = re.compile(r"exercise-(\d+)")


class Wrong(Exception):
    """Raised by a check function with one sentence saying what is off in the answer."""


class NothingToCheck(Exception):
    """Raised by a check function when there is nothing to compare the answer with yet (say what to run)."""


def number(answer, what: str) -> float:
    """``answer`` as a float, or Wrong saying that a number was expected."""
    if isinstance(answer, bool) or not isinstance(answer, int | float) and not hasattr(answer, "__float__"):
        raise Wrong(f"{what} should be a number, got {type(answer).__name__}.")
    return float(answer)


def share(answer, what: str) -> float:
    """``answer`` as a share between 0 and 1 (a percentage is refused with a sentence)."""
    value = number(answer, what)
    if value > 1:
        raise Wrong(f"{what} should be between 0 and 1, and {value:g} is more (a percentage? divide by 100).")
    if value < 0:
        raise Wrong(f"{what} cannot be negative, got {value:g}.")
    return value


def close(value: float, expected: float, rel: float = 1e-3, abs_: float = 0.0) -> bool:
    """Whether ``value`` is ``expected`` within a relative (or absolute) tolerance."""
    return math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)


def integer(answer, what: str) -> int:
    """``answer`` as a whole number, or Wrong saying that one was expected."""
    if isinstance(answer, bool) or not isinstance(answer, int) and not (hasattr(answer, "item") and
                                                                         float(answer) == int(answer)):
        raise Wrong(f"{what} should be a whole number, got {answer!r}.")
    return int(answer)


def strict() -> bool:
    """Whether anything but a correct answer raises (the solutions run of ``make test``)."""
    return os.environ.get(STRICT_VARIABLE, "").strip().lower() == "strict"


def is_placeholder(value) -> bool:
    """``...`` or None: the answer cell was not filled in."""
    return value is Ellipsis or value is None


@dataclass
class Exercise:
    """One exercise of a notebook: a check function, a hint, and the solution's location.

    ``check_answer(*answer, **context)`` returns a success sentence or raises :class:`Wrong`.
    """

    notebook: str
    number: int
    check_answer: Callable
    hint_text: str
    task: str = ""
    status: str = field(default="unanswered", init=False)
    message: str = field(default="", init=False)

    @property
    def name(self) -> str:
        return f"q{self.number}"

    def __repr__(self) -> str:
        return f"<exercise {self.number} of {self.notebook}: {self.status}>"

    def check(self, *answer, **context) -> None:
        """Check the answer; print one line saying whether it is right and, if not, what is off."""
        if not answer or any(is_placeholder(a) for a in answer):
            self._report("unanswered", f"Not answered yet: replace the ... in the cell above with your answer "
                                       f"and run both cells ({self.name}.hint() gives a hint).")
            return
        try:
            success = self.check_answer(*answer, **context)
        except Wrong as problem:
            self._report("wrong", f"Not yet: {problem} ({self.name}.hint() gives a hint.)")
            return
        except NothingToCheck as missing:
            self._report("nothing to check", f"Nothing to check yet: {missing}")
            return
        self._report("correct", f"Correct: {success}")

    def _report(self, status: str, message: str) -> None:
        self.status, self.message = status, message
        print(message)
        if strict() and status != "correct":
            raise AssertionError(f"{self.notebook} exercise {self.number}: {message}")

    def hint(self) -> None:
        """Print the idea that leads to the answer (not the code)."""
        print(f"Hint: {self.hint_text}")

    def solution(self) -> None:
        """Print the reference solution, from ``exercises/<notebook>.py``."""
        print(f"# One solution to exercise {self.number} (from exercises/{self.notebook}.py):")
        print(solution_sections(self.notebook)[self.number].solution)


_REGISTRY: dict[str, dict[int, Exercise]] = {}


def register(notebook: str, number: int, hint: str, task: str = ""):
    """Decorator: register a check function as exercise ``number`` of ``notebook``."""
    def decorate(function: Callable) -> Callable:
        _REGISTRY.setdefault(notebook, {})[number] = Exercise(notebook, number, function, hint, task)
        return function
    return decorate


_MODULES: dict[str, object] = {}


def exercises_file(notebook: str) -> Path:
    return EXERCISES_DIR / f"{notebook}.py"


def _module(notebook: str):
    """The module ``exercises/<notebook>.py``, loaded once (loading it registers its checks)."""
    if notebook not in _MODULES:
        path = exercises_file(notebook)
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in EXERCISES_DIR.glob("[0-9][0-9]_*.py")))
            raise CourseError(f"There is no exercises file {path.relative_to(REPO_ROOT)}: use a notebook "
                              f"name with one ({known}).")
        spec = importlib.util.spec_from_file_location(f"course_exercises_{notebook}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[notebook] = module
    return _MODULES[notebook]


def exercises(notebook: str) -> list[Exercise]:
    """The exercises of ``notebook`` (its file name without ``.ipynb``), in order: ``q1, q2 = exercises(...)``."""
    _module(notebook)
    if notebook not in _REGISTRY:
        raise CourseError(f"exercises/{notebook}.py registers no check for {notebook!r}: "
                          f"register them with @register({notebook!r}, N, hint=...).")
    found = _REGISTRY[notebook]
    for exercise in found.values():  # a fresh start each time a notebook asks for them
        exercise.status, exercise.message = "unanswered", ""
    return [found[n] for n in sorted(found)]


def registered() -> dict[str, dict[int, Exercise]]:
    """Every registered exercise, by notebook and number."""
    for path in sorted(EXERCISES_DIR.glob("[0-9][0-9]_*.py")):
        _module(path.stem)

    return _REGISTRY


# --- solutions ---------------------------------------------------------------------------


@dataclass
class Solution:
    """The reference solution of one exercise, and the plausible wrong answers its check must reject."""

    number: int
    solution: str
    wrong: list[str] = field(default_factory=list)


def solution_sections(notebook: str) -> dict[int, Solution]:
    """Parse the ``SOLUTIONS`` of ``exercises/<notebook>.py`` into each exercise's solution and wrong answers."""
    path = exercises_file(notebook)
    text = getattr(_module(notebook), "SOLUTIONS", None)
    if not isinstance(text, str):
        raise CourseError(f"{path.name} has no SOLUTIONS: add one with a '# %% Exercise N' section per exercise.")
    marks = list(SECTION.finditer(text))
    found: dict[int, Solution] = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = text[mark.end():following.start() if following else len(text)].strip("\n")
        number = int(mark.group(1))
        if mark.group(2):
            if number not in found:
                raise CourseError(f"{path}: the wrong answer of exercise {number} comes before its solution.")
            found[number].wrong.append(body)
        elif number in found:
            raise CourseError(f"{path}: exercise {number} has two solutions.")
        else:
            found[number] = Solution(number, body)
    return found


# --- notebooks ---------------------------------------------------------------------------


def answer_number(cell) -> int | None:
    """The exercise number of an answer cell (tagged ``exercise-N``), else None."""
    for tag in cell.get("metadata", {}).get("tags", []):
        match = ANSWER_TAG.fullmatch(tag)
        if match:
            return int(match.group(1))
    return None


def placeholder_names(source: str) -> list[str]:
    """The names an answer cell assigns, if every statement assigns a placeholder (``...`` or None).

    Raises:
        CourseError: a statement does anything else (the stored notebook must not hold a solution).
    """
    names = []
    for statement in ast.parse(source).body:
        if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
                and statement.value.value in (Ellipsis, None)):
            raise CourseError(f"An answer cell may only assign placeholders (name = ...), found: {ast.unparse(statement)}")
        for target in statement.targets:
            names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return names


def _verification_cell(number: int, placeholder: str, check: str, wrong: list[str]):
    """Code that proves the check rejects the placeholder and each wrong answer (no later cell
    depends on an exercise's names, a test checks, so the solution's values need not be restored)."""
    from nbformat.v4 import new_code_cell

    code = "\n".join([
        "# Added by the solutions run: the check must reject the placeholder and each plausible wrong answer.",
        "from utils.exercises import expect_status",
        "",
        f"expect_status(q{number}, 'unanswered', {placeholder!r}, {check!r})",
        *(f"expect_status(q{number}, 'wrong', {w!r}, {check!r})" for w in wrong),
    ])
    return new_code_cell(code, metadata={"tags": ["exercise-verification"]})


def solved_notebook(path: Path, verify: bool = True):
    """The notebook at ``path`` with every answer cell replaced by its reference solution.

    With ``verify``, a cell after each check proves that the check rejects the placeholder
    and every plausible wrong answer of ``exercises/<notebook>.py``.
    """
    import nbformat

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    sections = solution_sections(path.stem)
    cells, used = [], set()
    pending = None
    for cell in notebook.cells:
        number = answer_number(cell) if cell.cell_type == "code" else None
        if number is not None:
            if number not in sections:
                raise CourseError(f"{path.name}: exercise {number} has no solution in exercises/{path.stem}.py.")
            placeholder = cell.source
            cell = nbformat.v4.new_code_cell(sections[number].solution, metadata=cell.metadata)
            used.add(number)
            pending = (number, placeholder)
        elif pending and cell.cell_type == "code" and f"q{pending[0]}.check(" in cell.source:
            cells.append(cell)
            if verify:
                number, placeholder = pending
                check = "\n".join(line for line in cell.source.splitlines() if f"q{number}.check(" in line)
                cells.append(_verification_cell(number, placeholder, check, sections[number].wrong))
            pending = None
            continue
        cells.append(cell)
    missing = set(sections) - used
    if missing:
        raise CourseError(f"{path.name}: exercises/{path.stem}.py has exercises {sorted(missing)} that the notebook lacks.")
    notebook.cells = cells
    return notebook


def expect_status(exercise: Exercise, expected: str, answer_code: str, check_code: str) -> None:
    """Run ``answer_code`` then ``check_code`` in the notebook's namespace, not strictly, and
    assert that the check ends in ``expected`` ("unanswered", "wrong" or "correct")."""
    from IPython import get_ipython

    shell = get_ipython()
    namespace = shell.user_ns if shell is not None else globals()
    previous = os.environ.get(STRICT_VARIABLE)
    os.environ[STRICT_VARIABLE] = "learner"
    try:
        exec(compile(answer_code, f"<exercise {exercise.number} answer>", "exec"), namespace)
        exec(compile(check_code, f"<exercise {exercise.number} check>", "exec"), namespace)
    finally:
        if previous is None:
            os.environ.pop(STRICT_VARIABLE, None)
        else:
            os.environ[STRICT_VARIABLE] = previous
    claim = (f"{exercise.notebook} exercise {exercise.number}: expected the check to say {expected!r}, "
             f"it said {exercise.status!r}: {exercise.message}\nfor the answer:\n{answer_code}")
    if expected == "wrong" and exercise.status == "correct":
        # a wrong answer tells itself apart by the trained model's outputs: not on random weights
        from utils.modes import expect

        expect(False, claim)
    else:
        assert exercise.status == expected, claim
