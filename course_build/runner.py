"""Run the course's notebooks with ``pytest --nbmake``: your run, the tested run with the solutions, the reference run.

The stored notebooks are never executed in place. :func:`stage` writes copies into a build
folder: as stored, or with every exercise answered by its reference solution and a cell after
each check proving that the check rejects the placeholder and the wrong answers
(:func:`utils.exercises.solved_notebook`), and, at a smaller scale, a cell after the
``parameters`` cell with that scale's sizes (:mod:`course_build.sizes`). :func:`run` executes
the copies with nbmake, one kernel at a time, in order, each with a time limit, and writes each
executed copy back in place (``--overwrite``) so a failed cell can be read there.

Records and figures go to a staging folder; only when every notebook succeeded do they
replace those of the target folder, so a failure leaves the previous results intact:

- ``make course`` (default): the target is your own, git-ignored ``my-report/``; its
  ``REPORT.md`` sets your numbers beside the course's reference run;
- ``make test`` (``--solutions --scale test``): every exercise answered, each check required
  to pass and to reject its placeholder and wrong answers, at the test scale;
- ``make report`` (``--reference``, for maintainers): the tracked ``report/`` is refreshed
  from a full run with the default parameters; ``--reference NN`` only adds a notebook that
  the reference run has no records of yet (a new lesson), each record keeping its own provenance.

A learner can run one stored notebook the same way: ``pytest --nbmake notebooks/00_setup.ipynb``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from course_build.sizes import SCALES, sizes, sizes_cell
from utils.modes import get_mode
from utils.paths import REFERENCE_DIR, REPO_ROOT, course_notebooks, notebooks_dir, report_dir

BUILD_DIR = REPO_ROOT / "build"
#: seconds allowed to one cell (nbmake) and to one whole notebook (pytest-timeout)
CELL_TIMEOUT = 900
NOTEBOOK_TIMEOUT = 1800


def notebooks(only: list[str] | None = None) -> list[Path]:
    """The course's notebooks in order, or those whose names start with one of ``only``."""
    return [p for p in course_notebooks() if not only or p.name.startswith(tuple(only))]


def staged_notebook(path: Path, *, solutions: bool = False, scale: str = "full"):
    """The notebook at ``path`` as it will run: solved (with ``solutions``) and with ``scale``'s sizes."""
    import nbformat

    from utils.exercises import solved_notebook

    notebook = solved_notebook(path) if solutions else nbformat.read(path, as_version=4)
    code = sizes_cell(sizes(Path(path).stem, scale))
    if code:
        at = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
        notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(code, metadata={"tags": ["injected-parameters"]}))
    return notebook


def stage(paths: list[Path], out_dir: Path, *, solutions: bool = False, scale: str = "full") -> list[Path]:
    """Write the copies that :func:`run` executes into ``out_dir`` (emptied first); return their paths."""
    import nbformat

    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    staged = []
    for path in paths:
        nbformat.write(staged_notebook(path, solutions=solutions, scale=scale), out_dir / path.name)
        staged.append(out_dir / path.name)
    return staged


def pytest_command(paths: list[Path], *, cell_timeout: int = CELL_TIMEOUT,
                   notebook_timeout: int = NOTEBOOK_TIMEOUT) -> list[str]:
    """The ``pytest --nbmake`` command that executes ``paths`` in order and writes each back executed."""
    return [sys.executable, "-m", "pytest", "--nbmake", "--overwrite", f"--nbmake-timeout={cell_timeout}",
            "--nbmake-kernel=python3", f"--timeout={notebook_timeout}", "-p", "course_build.timings",
            "-p", "no:cacheprovider", "-q", "--no-header", "--durations=0", "--durations-min=1",
            *map(str, paths)]


def run(paths: list[Path], *, env: dict | None = None, solutions: bool = False, timings: Path | None = None) -> int:
    """Execute the staged ``paths`` with nbmake; return pytest's exit code (0: every notebook passed).

    With ``solutions`` each check must pass (``COURSE_EXERCISES=strict``). ``env`` adds
    environment variables for the kernels; ``timings`` is a log that each notebook's time is
    added to (``make``'s summary).
    """
    from course_build.timings import LOG_VARIABLE
    from utils.exercises import STRICT_VARIABLE

    kernel_env = {**os.environ, **(env or {})}
    kernel_env.pop(LOG_VARIABLE, None)
    if timings is not None:
        kernel_env[LOG_VARIABLE] = str(timings)
    if solutions:
        kernel_env[STRICT_VARIABLE] = "strict"
    return subprocess.run(pytest_command(paths), env=kernel_env, cwd=REPO_ROOT).returncode


def _copy_results(source: Path, target: Path) -> None:
    for sub in ("results", "figures"):
        if (source / sub).is_dir():
            shutil.copytree(source / sub, target / sub, dirs_exist_ok=True)


def promote(stage_dir: Path, target: Path, full: bool) -> None:
    """Move the staged records and figures into ``target`` (a full run replaces them all)."""
    for sub in ("results", "figures"):
        staged, final = stage_dir / sub, target / sub
        if not staged.is_dir():
            continue
        if full and final.exists():
            old = target / f".{sub}-old"
            shutil.rmtree(old, ignore_errors=True)
            final.rename(old)
            staged.rename(final)
            shutil.rmtree(old)
        else:
            final.mkdir(parents=True, exist_ok=True)
            for item in staged.iterdir():
                os.replace(item, final / item.name)


def main(argv: list[str] | None = None) -> int:
    """Run every notebook (or those whose names start with the given prefixes), then the report."""
    parser = argparse.ArgumentParser(prog="python -m course_build.runner", description=__doc__.split("\n")[0])
    parser.add_argument("only", nargs="*", help="run only notebooks whose names start with these (e.g. 00 01)")
    parser.add_argument("--solutions", action="store_true", help="answer every exercise with its solution; checks must pass")
    parser.add_argument("--reference", action="store_true", help="maintainers: refresh the tracked report/ (full runs only)")
    parser.add_argument("--scale", choices=SCALES[:2], default="full",
                        help="test: the smaller sizes of course_build.sizes.TEST_SIZES (make test); full: the defaults")
    parser.add_argument("--out", default=None, help="folder of the executed copies (default build/course)")
    args = parser.parse_args(argv)
    paths = notebooks(args.only)
    if not paths:
        print(f"error: no notebook matches {' '.join(args.only)} in {notebooks_dir()}.", file=sys.stderr)
        return 1
    full = not args.only
    if args.reference and not full:
        recorded = sorted(p.stem for p in paths if any((REFERENCE_DIR / "results").glob(f"{p.stem}--*.json")))
        if recorded:
            print(f"error: the reference run already has records of {', '.join(recorded)}: it is refreshed from "
                  "a full run only (`make report`); naming notebooks only adds those it lacks.", file=sys.stderr)
            return 1
    if args.reference and args.scale != "full":
        print("error: the reference report is the run at the notebooks' defaults: run `make report` without "
              "--scale test.", file=sys.stderr)
        return 1
    if args.reference and get_mode() == "hub":
        print("error: the reference report is the offline run: run `make report` without COURSE_MODE=hub "
              "(a hub-mode run writes its records to my-report/hub/).", file=sys.stderr)
        return 1
    target = REFERENCE_DIR if args.reference else report_dir()
    out = Path(args.out) if args.out else BUILD_DIR / ("solutions" if args.solutions else "course")
    stage_dir = BUILD_DIR / f"staging-{target.name}"
    shutil.rmtree(stage_dir, ignore_errors=True)
    stage_dir.mkdir(parents=True)
    if not full:  # a partial run still reads the records of the notebooks it does not run
        _copy_results(target, stage_dir)
    staged = stage(paths, out, solutions=args.solutions, scale=args.scale)
    start = time.perf_counter()
    code = run(staged, env={"COURSE_REPORT_DIR": str(stage_dir)}, solutions=args.solutions,
               timings=BUILD_DIR / "timings.log")
    wall = time.perf_counter() - start
    if code != 0:
        print(f"error: pytest --nbmake exited with {code}. Nothing was replaced in {target}; the executed "
              f"copies are in {out}.", file=sys.stderr)
        return 1
    print(f"{len(paths)} notebooks in {wall:.1f} s ({args.scale} scale); executed copies in {out}")
    promote(stage_dir, target, full)
    shutil.rmtree(stage_dir, ignore_errors=True)
    from utils.report import update_report, write_learner_report

    if args.reference:
        from utils.records import load_records

        records = load_records(REFERENCE_DIR / "results")
        print(f"reference report regenerated: {update_report(REFERENCE_DIR / 'REPORT.md', records)}")
    else:
        print(f"your report, beside the reference run: {write_learner_report(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
