"""The ``#@save`` exporter: a lesson's cells written out to a module, the d2l way.

A helper that is a lesson's subject (the accelerate loop of 08, the benchmark of 09) is
written in that notebook's cells, where the learner reads and edits it. Cells whose first
line is ``#@save`` are exported, in order, to the module named in the notebook's metadata
(``"course": {"exports": "utils/accelerate_loop.py"}``), which later notebooks, scripts and
tests import. The notebook is the one source of truth: ``python -m course_build.export`` rewrites
the module from it, and a test fails when the two differ.

"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from utils.errors import CourseError
from utils.export import MARK
from utils.paths import REPO_ROOT, course_notebooks


def exports(path: Path) -> str | None:
    """The module a notebook exports to (relative to the repository), or None."""
    return json.loads(Path(path).read_text()).get("metadata", {}).get("course", {}).get("exports")


def exported_source(path: Path) -> str:
    """The module text generated from the ``#@save`` cells of the notebook at ``path``."""
    notebook = json.loads(Path(path).read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    saved = [source.split("\n", 1)[1] if "\n" in source else "" for source in cells
             if source.startswith(MARK)]
    if not saved:
        raise CourseError(f"{Path(path).name} exports a module but has no cell starting with {MARK}.")
    docstring = notebook["metadata"]["course"].get("exports_doc", "Exported from a notebook.")
    header = (f'"""{docstring}\n\nGenerated from notebooks/{Path(path).name} by `python -m course_build.export`: '
              f'edit the notebook\'s #@save cells, not this file.\n"""\n\n'
              "from __future__ import annotations\n\n")
    return header + "\n\n\n".join(block.strip("\n") for block in saved) + "\n"


def export_all(check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) every exported module; return the stale ones' names."""
    stale = []
    for path in course_notebooks():
        target = exports(path)
        if target is None:
            continue
        text, module = exported_source(path), REPO_ROOT / target
        if not module.exists() or module.read_text() != text:
            stale.append(target)
            if not check:
                module.write_text(text)
    return stale


if __name__ == "__main__":
    changed = export_all(check="--check" in sys.argv)
    print("\n".join(f"{'stale' if '--check' in sys.argv else 'written'}: {name}" for name in changed) or "up to date")
    sys.exit(1 if changed and "--check" in sys.argv else 0)
