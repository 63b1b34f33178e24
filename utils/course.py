"""Run the course's notebooks: your run, the tested run with the solutions, and the reference run.

``python -m utils.course`` executes copies of the notebooks (the stored ones are never
rewritten) and writes their records and figures to a staging folder; only when every
notebook succeeded do they replace those of the target folder, so a failure leaves the
previous results intact. Then the report is written:

- ``make course`` (default): the target is your own, git-ignored ``my-report/``; its
  ``REPORT.md`` sets your numbers beside the course's reference run;
- ``make test`` (``--solutions --scale test``): every exercise answered by its reference
  solution, each check required to pass and to reject its placeholder and wrong answers, at
  the smaller sizes of :data:`utils.params.TEST_SIZES` (``SCALE=full`` for the defaults);
- ``make report`` (``--reference``, for maintainers): the tracked ``report/`` and the
  README's results are refreshed from a full run with the default parameters.

Notebooks may run side by side (``--jobs 2``): each kernel then gets one torch thread, and
notebooks that start processes of their own (metadata ``course.alone``) run alone; a
notebook starts once those it reads records from (``course.needs``) have finished.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from utils.modes import get_mode
from utils.params import SCALES, scale_environment
from utils.paths import REFERENCE_DIR, REPO_ROOT, notebooks_dir, report_dir

BUILD_DIR = REPO_ROOT / "build"
TIMINGS = BUILD_DIR / "timings.log"


def run_notebook(path: Path, out_dir: Path, timeout: int = 900, solutions: bool = False,
                 env: dict | None = None) -> float:
    """Execute one notebook into ``out_dir`` and return its wall time in seconds.

    With ``solutions``, the answer cells hold the reference solutions and every check must
    pass (:func:`utils.exercises.solved_notebook`). ``env`` adds environment variables for
    the kernel. On failure the partly executed copy is still written (to read the error) and
    the exception is raised again.
    """
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    from utils.exercises import STRICT_VARIABLE, solved_notebook

    path = Path(path)
    notebook = solved_notebook(path) if solutions else nbformat.read(path, as_version=4)
    kernel_env = {**os.environ, **(env or {})}
    if solutions:
        kernel_env[STRICT_VARIABLE] = "strict"
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as sockets:
        # The kernel talks to us over local IPC sockets (absolute paths, since the kernel
        # runs in the notebook's folder), not over unencrypted TCP ports.
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/kernel")
        client = NotebookClient(notebook, km=kernel, timeout=timeout,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute(env=kernel_env)
        finally:
            if kernel.has_kernel:
                kernel.shutdown_kernel(now=False)
            out_dir.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, out_dir / path.name)
    return time.perf_counter() - start


def course_metadata(path: Path) -> dict:
    """The notebook's ``course`` metadata: ``needs`` (notebooks whose records it reads; "*" for all)
    and ``alone`` (it starts processes of its own, so nothing runs beside it)."""
    import json

    return json.loads(Path(path).read_text()).get("metadata", {}).get("course", {})


@dataclass
class _Job:
    path: Path
    needs: set[str]
    alone: bool
    seconds: float | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


def run_all(paths: list[Path], out_dir: Path, *, jobs: int = 1, timeout: int = 900, solutions: bool = False,
            env: dict | None = None, scale: str = "full", log=print) -> dict[str, float]:
    """Run ``paths`` with up to ``jobs`` kernels at once; return each notebook's seconds.

    ``scale="test"`` runs each notebook with :data:`utils.params.TEST_SIZES` (a size set in the
    environment, ``COURSE_TRAIN_SIZE=...``, still wins).

    Raises RuntimeError naming the notebooks that failed (the others still run unless they
    need a failed one).
    """
    names = [p.stem for p in paths]
    queue = []
    for path in paths:
        meta = course_metadata(path)
        needs = set(names[:names.index(path.stem)]) if "*" in meta.get("needs", []) else set(meta.get("needs", []))
        queue.append(_Job(path, {n for n in needs if n in names}, bool(meta.get("alone")) or jobs == 1))
    by_name = {job.path.stem: job for job in queue}
    lock = threading.Condition()
    running: list[_Job] = []

    def ready(job: _Job) -> bool:
        if any(not by_name[n].done.is_set() for n in job.needs):
            return False
        if job.alone:
            return not running
        return len(running) < jobs and not any(r.alone for r in running)

    def work(job: _Job) -> None:
        failed = [n for n in job.needs if by_name[n].error]
        try:
            if failed:
                raise RuntimeError(f"skipped: it needs {', '.join(sorted(failed))}, which failed")
            sizes = scale_environment(job.path.stem, scale)
            kernel_env = {**{k: v for k, v in sizes.items() if k not in os.environ}, **(env or {})}
            if not job.alone:  # side by side, one torch thread each: two 2-thread kernels on 2 cores slow each other
                kernel_env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
            job.seconds = run_notebook(job.path, out_dir, timeout, solutions, kernel_env)
            log(f"  {job.path.name:<30} {job.seconds:7.1f} s")
        except Exception as exc:  # nbclient's CellExecutionError carries the cell's traceback
            job.error = str(exc)
            log(f"error: {job.path.name} failed; the executed copy is in {out_dir / job.path.name}.\n{exc}")
        finally:
            with lock:
                running.remove(job)
                job.done.set()
                lock.notify_all()

    pending = list(queue)
    threads = []
    with lock:
        while pending:
            job = next((j for j in pending if ready(j)), None)
            if job is None:
                lock.wait()
                continue
            pending.remove(job)
            running.append(job)
            log(f"running {job.path.name}{' (alone)' if job.alone and jobs > 1 else ''} ...")
            thread = threading.Thread(target=work, args=(job,), daemon=True)
            thread.start()
            threads.append(thread)
    for thread in threads:
        thread.join()
    failed = [j.path.name for j in queue if j.error]
    if failed:
        raise RuntimeError(f"{len(failed)} notebook(s) failed: {', '.join(failed)}")
    return {j.path.stem: j.seconds for j in queue}


def _copy_results(source: Path, target: Path) -> None:
    for sub in ("results", "figures"):
        if (source / sub).is_dir():
            shutil.copytree(source / sub, target / sub, dirs_exist_ok=True)


def promote(stage: Path, target: Path, full: bool) -> None:
    """Move the staged records and figures into ``target`` (a full run replaces them all)."""
    for sub in ("results", "figures"):
        staged, final = stage / sub, target / sub
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
    parser = argparse.ArgumentParser(prog="python -m utils.course", description=__doc__.split("\n")[0])
    parser.add_argument("only", nargs="*", help="run only notebooks whose names start with these (e.g. 00 01)")
    parser.add_argument("--solutions", action="store_true", help="answer every exercise with its solution; checks must pass")
    parser.add_argument("--reference", action="store_true", help="maintainers: refresh the tracked report/ (full runs only)")
    parser.add_argument("--scale", choices=SCALES, default="full",
                        help="test: the smaller sizes of utils.params.TEST_SIZES (make test); full: the defaults")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run side by side (one torch thread each)")
    parser.add_argument("--out", default=None, help="folder of the executed copies (default build/course)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    notebooks = sorted(p for p in notebooks_dir().glob("[0-9][0-9]_*.ipynb")
                       if not args.only or p.name.startswith(tuple(args.only)))
    if not notebooks:
        print(f"error: no notebook matches {' '.join(args.only)} in {notebooks_dir()}.", file=sys.stderr)
        return 1
    full = not args.only
    if args.reference and not full:
        print("error: the reference report is refreshed from a full run only: run without notebook names.",
              file=sys.stderr)
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
    stage = BUILD_DIR / f"staging-{target.name}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    if not full:  # a partial run still reads the records of the notebooks it does not run
        _copy_results(target, stage)
    start = time.perf_counter()
    try:
        seconds = run_all(notebooks, out, jobs=args.jobs, timeout=args.timeout, solutions=args.solutions,
                          env={"COURSE_REPORT_DIR": str(stage)}, scale=args.scale)
    except RuntimeError as exc:
        print(f"error: {exc}. Nothing was replaced in {target}; the executed copies are in {out}.", file=sys.stderr)
        return 1
    wall = time.perf_counter() - start
    BUILD_DIR.mkdir(exist_ok=True)
    with open(TIMINGS, "a") as log:
        for name, value in seconds.items():
            log.write(f"[make]   notebook {name}: {value:.0f} s\n")
    print(f"{len(notebooks)} notebooks in {wall:.1f} s ({sum(seconds.values()):.1f} s of notebook time, "
          f"{args.jobs} at a time, {args.scale} scale); executed copies in {out}")
    promote(stage, target, full)
    shutil.rmtree(stage, ignore_errors=True)
    from utils.report import update_readme, update_report, write_learner_report

    if args.reference:
        from utils.records import load_records

        records = load_records(REFERENCE_DIR / "results")
        print(f"reference report regenerated: {update_report(REFERENCE_DIR / 'REPORT.md', records)}")
        print(f"results at a glance regenerated: {update_readme(records=records)}")
    else:
        print(f"your report, beside the reference run: {write_learner_report(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
