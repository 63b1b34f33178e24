"""The house: the learner's package (utils/) apart from the machinery (course_build/), checked on the import graph.

- Nothing a learner reads or runs (utils/, the notebooks, exercises/, apps/, scripts/) imports
  the machinery.
- Every module of utils/ is there for a learner: a notebook, an exercises file, an app or a
  script imports it, directly or through another utils module, or a notebook writes it
  (a ``#@save`` export, whose source is the notebook's own cells). What only make, CI or
  the tests use belongs in course_build/.
"""

import ast
import json

from utils.paths import REPO_ROOT, course_notebooks

UTILS = {p.stem: p for p in (REPO_ROOT / "utils").glob("*.py") if p.stem != "__init__"}
MACHINERY = {p.stem for p in (REPO_ROOT / "course_build").glob("*.py")}


def _imports(source: str) -> set[str]:
    """Dotted names imported by ``source`` (``from utils import catalog`` gives utils and utils.catalog)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _notebook_code(path) -> str:
    cells = json.loads(path.read_text())["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] == "code":
            lines += [line for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def _learner_sources() -> dict[str, str]:
    sources = {str(p.relative_to(REPO_ROOT)): _notebook_code(p) for p in course_notebooks()}
    for folder in ("exercises", "apps", "scripts"):
        sources |= {str(p.relative_to(REPO_ROOT)): p.read_text() for p in (REPO_ROOT / folder).rglob("*.py")}
    return sources


def _utils_modules(names: set[str]) -> set[str]:
    return {name.split(".")[1] for name in names if name.startswith("utils.") and name.split(".")[1] in UTILS}


def test_nothing_a_learner_reads_or_runs_imports_the_machinery():
    sources = _learner_sources() | {f"utils/{name}.py": path.read_text() for name, path in UTILS.items()}
    sources["utils/__init__.py"] = (REPO_ROOT / "utils" / "__init__.py").read_text()
    offenders = {where: sorted(n for n in _imports(code) if n.split(".")[0] == "course_build")
                 for where, code in sources.items()}
    assert not {k: v for k, v in offenders.items() if v}, f"the learner's side imports the machinery: {offenders}"


def test_every_utils_module_is_there_for_a_learner():
    exported = set()
    for path in course_notebooks():
        target = json.loads(path.read_text()).get("metadata", {}).get("course", {}).get("exports")
        if target:
            exported.add(target.removeprefix("utils/").removesuffix(".py"))
    reached = set(exported)
    for code in _learner_sources().values():
        reached |= _utils_modules(_imports(code))
    reached |= _utils_modules(_imports((REPO_ROOT / "utils" / "__init__.py").read_text()))
    frontier = set(reached)
    while frontier:  # what those modules import in turn
        frontier = {m for name in frontier for m in _utils_modules(_imports(UTILS[name].read_text()))} - reached
        reached |= frontier
    unused = sorted(set(UTILS) - reached)
    assert not unused, f"utils modules that no notebook, exercise, app or script uses (machinery?): {unused}"


def test_the_machinery_is_a_separate_package_that_the_tests_and_make_reach():
    assert {"assets", "recipes", "runner", "sizes", "hub_standin", "hub_rehearsal", "lab", "export"} <= MACHINERY
    assert not set(UTILS) & MACHINERY - {"assets", "export"}, "a module is written in both packages"
    makefile = (REPO_ROOT / "Makefile").read_text()
    for module in ("assets", "runner", "hub_rehearsal", "lab"):
        assert f"python -m course_build.{module}" in makefile
