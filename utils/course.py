"""``make course``: execute copies of the notebooks in order, then regenerate the report.

The stored notebooks are never rewritten: each executed copy goes to ``build/course/``
(git-ignored). Each notebook runs with its own folder as the working directory, as in
JupyterLab and nbmake. The time of every notebook is printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from utils.paths import REPO_ROOT, notebooks_dir, report_dir

BUILD_DIR = REPO_ROOT / "build" / "course"


def run_notebook(path: Path, out_dir: Path, timeout: int = 900) -> float:
    """Execute one notebook into ``out_dir`` and return its wall time in seconds.

    On failure the partly executed copy is still written (to read the error) and the
    exception is raised again.
    """
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as sockets:
        # The kernel talks to us over local IPC sockets (absolute paths, since the kernel
        # runs in the notebook's folder), not over unencrypted TCP ports.
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=f"{sockets}/kernel")
        client = NotebookClient(notebook, km=kernel, timeout=timeout,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        finally:
            if kernel.has_kernel:
                kernel.shutdown_kernel(now=False)
            out_dir.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, out_dir / path.name)
    return time.perf_counter() - start


def clear_results() -> None:
    """Remove the records and figures of earlier runs from the report folder."""
    for pattern in ("results/*.json", "figures/*.png"):
        for stale in report_dir().glob(pattern):
            stale.unlink()


def main(argv: list[str] | None = None) -> int:
    """Run every notebook (or those whose names start with the given prefixes), then the report."""
    from utils.report import update_readme, update_report

    parser = argparse.ArgumentParser(prog="python -m utils.course", description=__doc__.split("\n")[0])
    parser.add_argument("only", nargs="*", help="run only notebooks whose names start with these (e.g. 00 01)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    notebooks = sorted(p for p in notebooks_dir().glob("[0-9][0-9]_*.ipynb")
                       if not args.only or p.name.startswith(tuple(args.only)))
    if not notebooks:
        print(f"error: no notebook matches {' '.join(args.only)} in {notebooks_dir()}.", file=sys.stderr)
        return 1
    if not args.only:
        clear_results()  # a full run regenerates every record and figure: none may be left from older runs
    total = 0.0
    for path in notebooks:
        print(f"running {path.name} ...", flush=True)
        try:
            seconds = run_notebook(path, BUILD_DIR, args.timeout)
        except Exception as exc:  # nbclient's CellExecutionError carries the cell's traceback
            print(f"error: {path.name} failed; the executed copy is in {BUILD_DIR / path.name}.\n{exc}",
                  file=sys.stderr)
            return 1
        total += seconds
        print(f"  {path.name:<28} {seconds:7.1f} s", flush=True)
    print(f"{len(notebooks)} notebooks in {total:.1f} s; executed copies in {BUILD_DIR}")
    print(f"report regenerated: {update_report()}")
    if report_dir() == REPO_ROOT / "report":
        print(f"results at a glance regenerated: {update_readme()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
