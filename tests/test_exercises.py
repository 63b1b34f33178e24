"""The exercises: the framework (check, hint, solution, strict mode), the solved notebooks,
and the shape of every notebook's exercises (one file each in exercises/, placeholders only
in the notebook, no later cell depending on an answer)."""

import ast

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from utils import CourseError, exercises
from utils.exercises import (
    Exercise,
    NothingToCheck,
    Wrong,
    answer_number,
    placeholder_names,
    registered,
    solution_sections,
    solved_notebook,
)
from utils.paths import REPO_ROOT, course_notebooks

NOTEBOOKS = course_notebooks()


def _toy(answer):
    if answer == "empty":
        raise NothingToCheck("run notebook 06 first.")
    if answer != 42:
        raise Wrong("the answer is a famous number.")
    return "42 it is."


def test_check_says_correct_wrong_or_unanswered(capsys, monkeypatch):
    monkeypatch.delenv("COURSE_EXERCISES", raising=False)
    exercise = Exercise("toy", 1, _toy, "think of a towel")
    for answer, status, words in [(..., "unanswered", "Not answered yet"), (None, "unanswered", "Not answered yet"),
                                  (41, "wrong", "Not yet: the answer is a famous number."),
                                  (42, "correct", "Correct: 42 it is."),
                                  ("empty", "nothing to check", "Nothing to check yet: run notebook 06 first.")]:
        exercise.check(answer)
        assert exercise.status == status and words in capsys.readouterr().out


def test_strict_mode_raises_on_anything_but_a_correct_answer(monkeypatch):
    monkeypatch.setenv("COURSE_EXERCISES", "strict")
    exercise = Exercise("toy", 1, _toy, "hint")
    with pytest.raises(AssertionError, match="Not answered yet"):
        exercise.check(...)
    with pytest.raises(AssertionError, match="famous number"):
        exercise.check(7)
    exercise.check(42)


def test_hint_gives_the_idea_and_solution_reads_the_exercises_file(capsys):
    (q1, *_) = exercises.exercises("00_setup")
    q1.hint()
    q1.solution()
    out = capsys.readouterr().out
    assert out.startswith("Hint: ") and "exercises/00_setup.py" in out
    assert solution_sections("00_setup")[1].solution in out


def test_unknown_notebook_is_refused():
    with pytest.raises(CourseError, match="There is no exercises file exercises/99_nothing.py"):
        exercises.exercises("99_nothing")


def test_placeholder_cells_hold_nothing_else():
    assert placeholder_names("answer = ...\nother = None\n") == ["answer", "other"]
    with pytest.raises(CourseError, match="may only assign placeholders"):
        placeholder_names("answer = 40 + 2")


def _exercises_file(folder, name, solutions, checks=""):
    """An exercises file as the course writes them: checks, then SOLUTIONS."""
    (folder / f"{name}.py").write_text(f'"""doc"""\n{checks}\nSOLUTIONS = r\'\'\'\n{solutions}\'\'\'\n')


def test_solution_sections_parse_solutions_and_wrong_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(exercises, "EXERCISES_DIR", tmp_path)
    monkeypatch.setattr(exercises, "_MODULES", {})
    _exercises_file(tmp_path, "00_toy", "# %% Exercise 1\nx = 42\n\n# %% Exercise 1: wrong (off by one)\nx = 41\n")
    (section,) = solution_sections("00_toy").values()
    assert section.solution == "x = 42" and section.wrong == ["x = 41"]
    _exercises_file(tmp_path, "00_bad", "# %% Exercise 1: wrong\nx = 1\n")
    with pytest.raises(CourseError, match="comes before its solution"):
        solution_sections("00_bad")


def _toy_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(exercises, "EXERCISES_DIR", tmp_path)
    monkeypatch.setattr(exercises, "_MODULES", {})
    _exercises_file(tmp_path, "00_toy", "# %% Exercise 1\nx = 42\n\n# %% Exercise 1: wrong\nx = 41\n")
    path = tmp_path / "00_toy.ipynb"
    nbformat.write(new_notebook(cells=[
        new_markdown_cell("# Toy"), new_code_cell("x = ...", metadata={"tags": ["exercise-1"]}),
        new_code_cell("q1.check(x)"), new_code_cell("print('after')")]), path)
    return path


def test_solved_notebook_puts_the_solution_in_place_and_adds_the_verification(tmp_path, monkeypatch):
    solved = solved_notebook(_toy_notebook(tmp_path, monkeypatch))
    sources = [c.source for c in solved.cells]
    assert sources[1] == "x = 42" and sources[2] == "q1.check(x)"
    verification = sources[3]
    assert "expect_status(q1, 'unanswered', 'x = ...'" in verification
    assert "expect_status(q1, 'wrong', 'x = 41'" in verification and sources[4] == "print('after')"


def test_solved_notebook_needs_every_solution(tmp_path, monkeypatch):
    path = _toy_notebook(tmp_path, monkeypatch)
    _exercises_file(tmp_path, "00_toy", "# %% Exercise 2\nx = 1\n")
    monkeypatch.setattr(exercises, "_MODULES", {})
    with pytest.raises(CourseError, match="exercise 1 has no solution"):
        solved_notebook(path)


# --- every notebook --------------------------------------------------------------------


def _cells(path):
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_has_two_exercises_with_checks_solutions_and_wrong_answers(path):
    cells = _cells(path)
    numbers = [answer_number(c) for c in cells if c.cell_type == "code" and answer_number(c) is not None]
    assert len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1)), f"exercises {numbers}"
    assert sorted(registered()[path.stem]) == numbers, "a check is registered for each exercise"
    sections = solution_sections(path.stem)
    assert sorted(sections) == numbers, "exercises/<notebook>.py has one solution per exercise"
    for number in numbers:
        assert sections[number].wrong, f"exercise {number} has no plausible wrong answer to reject"
        assert registered()[path.stem][number].hint_text.strip(), f"exercise {number} has no hint"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_answer_cells_hold_placeholders_and_no_solution(path):
    cells = _cells(path)
    for number, section in solution_sections(path.stem).items():
        (answer,) = [c for c in cells if c.cell_type == "code" and answer_number(c) == number]
        assert placeholder_names(answer.source), f"exercise {number}'s answer cell assigns nothing"
        code = "\n".join(line for line in section.solution.splitlines() if line.strip() and not line.startswith("#"))
        assert not any(code in cell.source for cell in cells), f"exercise {number}'s solution is in the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_answer_is_checked_right_below_and_no_later_cell_depends_on_it(path):
    cells = [c for c in _cells(path) if c.cell_type == "code"]
    for index, cell in enumerate(cells):
        number = answer_number(cell)
        if number is None:
            continue
        assert f"q{number}.check(" in cells[index + 1].source, f"exercise {number} is not checked in the next cell"
        names = set(placeholder_names(cell.source))
        solution = ast.parse(solution_sections(path.stem)[number].solution)
        comprehension_targets = {id(n) for c in ast.walk(solution) if isinstance(c, ast.comprehension)
                                 for n in ast.walk(c.target)}
        names |= {n.id for n in ast.walk(solution) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                  and id(n) not in comprehension_targets}
        names |= {n.name for n in ast.walk(solution) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        for later in cells[index + 2:]:
            if answer_number(later) is not None or any(f"q{k}.check(" in later.source for k in range(1, 10)):
                continue  # other exercises may reuse a name for their own answer
            tree = ast.parse(later.source)
            stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - stored
            assert not names & used, f"a later cell depends on exercise {number}'s {sorted(names & used)}"


def test_exercise_files_are_only_for_notebooks_that_exist_and_register_only_their_own():
    stems = {p.stem for p in NOTEBOOKS}
    files = sorted((REPO_ROOT / "exercises").glob("*.py"))
    assert {f.stem for f in files} == stems, "one exercises file per notebook, named like it"
    assert set(registered()) == stems, "each file registers checks for its own notebook only"
    assert not (REPO_ROOT / "solutions").exists() and not (REPO_ROOT / "utils" / "checks.py").exists()
