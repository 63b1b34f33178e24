"""Launching the training of notebook 08 (:mod:`utils.accelerate_loop`) outside the notebook.

Plumbing, not the lesson: the command-line arguments that reproduce a configuration, a
free port for the processes' rendezvous, the ``accelerate`` command of this environment,
reading a run's JSON summary, and whether the CPU has bfloat16 instructions.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

from utils.errors import CourseError


def to_arguments(config) -> list[str]:
    """The command-line arguments of ``scripts/train_sentiment.py`` that reproduce ``config`` (defaults left out)."""
    from utils.accelerate_loop import TrainConfig

    defaults = TrainConfig()
    arguments = []
    for name, value in asdict(config).items():
        if value == getattr(defaults, name):
            continue
        arguments.append("--cpu" if name == "cpu" else f"--{name}={value}")
    return arguments


def cpu_bf16_support(cpuinfo: str | None = None) -> list[str]:
    """The CPU's bfloat16 instructions listed in ``/proc/cpuinfo`` (AVX512-BF16, AMX-BF16); [] if none or unknown."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return []
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
    return sorted(flags & {"avx512_bf16", "amx_bf16"})


def accelerate_command() -> list[str]:
    """The ``accelerate`` command of the running Python environment (a kernel's PATH may lack it)."""
    beside = Path(sys.executable).with_name("accelerate")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("accelerate")
    return [found] if found else [sys.executable, "-m", "accelerate.commands.accelerate_cli"]


def read_summary(path: str | os.PathLike) -> dict:
    """The JSON summary a run wrote, with a clear error if the run did not write it."""
    path = Path(path)
    if not path.exists():
        raise CourseError(f"No results at {path}: the training did not finish; read its output above for the error.")
    return json.loads(path.read_text())
