"""``setup()``: the first call of every notebook, and the notebook parameters helper."""

from __future__ import annotations

import logging
import os
import platform
import random
import warnings
from dataclasses import dataclass, field
from importlib import metadata

from utils.errors import CourseError
from utils.modes import apply_mode_environment

#: The libraries whose versions every notebook prints (and every record stores).
LIBRARIES = (
    "torch", "transformers", "datasets", "evaluate", "peft", "accelerate",
    "huggingface_hub", "safetensors", "sentence-transformers", "tokenizers",
    "numpy", "pandas", "scikit-learn", "matplotlib",
)


@dataclass
class SetupInfo:
    """What :func:`setup` found and set."""

    mode: str
    seed: int
    device: str
    device_name: str
    cpu_cores: int
    memory_gb: float
    versions: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"mode    {self.mode}",
            f"seed    {self.seed}",
            f"device  {self.device} ({self.device_name})",
            f"cpu     {self.cpu_cores} cores, {self.memory_gb:.1f} GB memory",
        ]
        lines += [f"{name:<22}{version}" for name, version in self.versions.items()]
        return "\n".join(lines)


def library_versions() -> dict[str, str]:
    """Installed versions of :data:`LIBRARIES` (plus Python); "not installed" when absent."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_device() -> tuple[str, str]:
    """The torch device the course uses ("cuda", "mps" or "cpu") and a readable name."""
    import torch

    if torch.cuda.is_available():
        return "cuda", torch.cuda.get_device_name(0)
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps", "Apple GPU"
    return "cpu", cpu_name()


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and GPU) through ``transformers.set_seed``."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise CourseError(f"The seed must be a non-negative integer, got {seed!r}.")
    import numpy as np
    from transformers import set_seed

    random.seed(seed)
    np.random.seed(seed)
    set_seed(seed)


def quiet_logging() -> None:
    """Keep library logs to errors so that notebook outputs stay readable."""
    import datasets
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()  # per-file loading bars; Trainer keeps its own
    datasets.logging.set_verbosity_error()
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def setup(seed: int = 42, quiet: bool = True, mode: str | None = None, show: bool = True) -> SetupInfo:
    """Prepare a notebook: mode and its offline flags, seeds, quiet logs; print what was set.

    Args:
        seed: seeds Python, NumPy and torch.
        quiet: keep library logs to errors.
        mode: "offline" or "hub"; by default ``$COURSE_MODE`` (else offline).
        show: print the versions, device, mode and seed.
    """
    mode = apply_mode_environment(mode)
    if quiet:
        quiet_logging()
    seed_everything(seed)
    import psutil

    device, device_name = describe_device()
    info = SetupInfo(
        mode=mode,
        seed=seed,
        device=device,
        device_name=device_name,
        cpu_cores=psutil.cpu_count(logical=True) or 1,
        memory_gb=psutil.virtual_memory().total / 2**30,
        versions=library_versions(),
    )
    if show:
        print(info)
    return info


def param(name: str, default):
    """A notebook parameter: ``$COURSE_<NAME>`` if set, else ``default`` (see :func:`utils.params.param`)."""
    from utils.params import param as _param

    return _param(name, default)
