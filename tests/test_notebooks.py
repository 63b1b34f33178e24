"""Hygiene of the stored notebooks: names, no outputs, anatomy, README list, no secrets.

The notebooks themselves are executed by `python -m course_build.runner --solutions` (make test).
"""

import re

import nbformat
import pytest

from utils.paths import REPO_ROOT, notebooks_dir

NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))  # every notebook, numbered or not: each is checked
NAME = re.compile(r"(\d\d)_[a-z][a-z0-9_]*\.ipynb")
TOKEN_LIKE = re.compile(
    r"hf_[A-Za-z0-9]{30,}|api_[A-Za-z0-9]{30,}|sk-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)
REMOVED_APIS = [line.strip() for line in (REPO_ROOT / "tests" / "removed_apis.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
MAX_CELLS, MAX_SECTIONS, MIN_CHECKS = 70, 10, 3  # a lesson a learner can hold; claims checked
MAX_CODE_LINES = 20  # "about 15 lines at most", with room for a long call spread over lines


def _read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ is empty"


def test_names_are_numbered_without_gaps():
    numbers = []
    for path in NOTEBOOKS:
        match = NAME.fullmatch(path.name)
        assert match, f"{path.name} is not named NN_topic.ipynb (lower case, underscores)"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(len(numbers))), f"numbering has gaps or repeats: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    for index, cell in enumerate(_read(path).cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name} cell {index} has outputs: clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {index} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_anatomy(path):
    cells = _read(path).cells
    first = cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell must be a Markdown title"
    assert "You will learn" in first.source
    code = [c for c in cells if c.cell_type == "code"]
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "from utils import" in code[0].source and "setup(" in code[0].source, "first code cell calls setup()"
    assert any("parameters" in c.metadata.get("tags", []) for c in code), "no cell tagged 'parameters'"
    assert "Try it" in markdown and any(".check(" in c.source for c in code), "a 'Try it' exercise with a check"
    assert "## What we learned" in markdown
    if "report" not in path.stem:  # the report notebook collects the others' records
        assert any("save_result(" in c.source for c in code), "a results cell that records measured figures"
    for cell in code:
        lines = len(cell.source.splitlines())
        assert lines <= MAX_CODE_LINES, f"{path.name} code cell {cells.index(cell)} has {lines} lines"
    assert "**Prerequisites:**" in first.source, "the title cell says what to run first (**Prerequisites:** ...)"
    assert "**Next:**" in cells[-1].source, "the last cell ends with **Next:** (where the course goes on)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_lesson_a_learner_can_hold(path):
    cells = _read(path).cells
    sections = [line for c in cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if re.match(r"## \d+\.", line)]
    assert len(cells) <= MAX_CELLS, f"{path.name} has {len(cells)} cells (at most {MAX_CELLS}): split it"
    assert len(sections) <= MAX_SECTIONS, f"{path.name} has {len(sections)} numbered sections (at most {MAX_SECTIONS})"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if "report" not in p.stem], ids=lambda p: p.name)
def test_headline_results_are_checked(path):
    """Every notebook that trains or measures checks at least three of its results (assert or expect)."""
    code = "\n".join(c.source for c in _read(path).cells if c.cell_type == "code")
    checks = len(re.findall(r"^\s*assert\b|\bexpect\(", code, re.M))
    assert checks >= MIN_CHECKS, f"{path.name} checks {checks} results (assert/expect), fewer than {MIN_CHECKS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_current_apis_only(path):
    text = path.read_text()
    for old in REMOVED_APIS:
        assert old not in text, f"{path.name} uses {old}, removed or renamed in the pinned versions"


def test_readme_lists_exactly_the_notebooks():
    readme = (REPO_ROOT / "README.md").read_text()
    listed = re.findall(r"\(notebooks/(\d\d_[a-z0-9_]+\.ipynb)\)", readme)
    assert sorted(set(listed)) == [p.name for p in NOTEBOOKS]


def test_no_token_like_strings():
    paths = [*NOTEBOOKS, REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md"),
             *(REPO_ROOT / "utils").glob("*.py"),
             *(REPO_ROOT / "report").rglob("*.md"), *(REPO_ROOT / "report").rglob("*.json")]
    for path in paths:
        match = TOKEN_LIKE.search(path.read_text(errors="ignore"))
        assert not match, f"{path.relative_to(REPO_ROOT)} holds a token-like string: {match.group()[:8]}..."


def test_the_secret_pattern_catches_a_token():
    assert TOKEN_LIKE.search("token = 'hf_" + "a1B2c3D4e5" * 4 + "'")


def test_the_removed_api_list_is_read():
    assert len(REMOVED_APIS) == 4 and all(REMOVED_APIS)


EQUALITY_WORDS = re.compile(r"\b(identical|equal|equals|agree|agrees)\b|\bsame\b[^.]*:\s*$", re.IGNORECASE)
ARCHITECTURE_PATHS = re.compile(r"\.(bert|distilbert|roberta|deberta|albert|electra)\.|[\"'](bert|distilbert|roberta)\.")


def _printed_claims(source):
    """What the print(...) calls of a cell claim to be equal: string literals with an equality word
    (or "same ...:" announcing a result), and printed == comparisons."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            for part in (c for arg in node.args for c in ast.walk(arg)):
                if isinstance(part, ast.Constant) and isinstance(part.value, str) and EQUALITY_WORDS.search(part.value):
                    found.append(part.value)
                elif isinstance(part, ast.Compare) and any(isinstance(op, ast.Eq) for op in part.ops):
                    found.append(ast.unparse(part))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_printed_equalities_are_asserted(path):
    """The rule: a cell whose print says that results are identical, equal or agree (or announces
    "same ...:", or prints an == comparison) must hold an assert that fails the notebook when not."""
    for index, cell in enumerate(_read(path).cells):
        if cell.cell_type != "code":
            continue
        claims = _printed_claims(cell.source)
        if claims:
            assert "assert " in cell.source, f"{path.name} cell {index} prints {claims[0]!r} without an assert"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_architecture_specific_attribute_paths(path):
    for index, cell in enumerate(_read(path).cells):
        if cell.cell_type == "code":
            match = ARCHITECTURE_PATHS.search(cell.source)
            assert not match, (f"{path.name} cell {index} uses {match.group()!r}: read modules and tensors through "
                               "the generic accessors (base_model, named_modules, config fields)")


def test_the_claim_rules_catch_what_they_should():
    assert _printed_claims('print("same vectors:", a == b)') == ["same vectors:", "a == b"]
    assert _printed_claims('print(f"{x:.2f}x the throughput on the same batches")') == []
    assert EQUALITY_WORDS.search("identical logits") and not EQUALITY_WORDS.search("a sameness")
    assert ARCHITECTURE_PATHS.search("quantized.bert.encoder") and ARCHITECTURE_PATHS.search('shapes["bert.embeddings"]')
    assert not ARCHITECTURE_PATHS.search("model.base_model.embeddings")
