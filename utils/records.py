"""Result records: one JSON file per experiment, with its provenance.

Every experiment of the course calls :func:`make_record` and :func:`save_record`; the
report is generated from these files only. A record that lacks a required field, has a
value of the wrong type or an unknown schema version is refused with a message naming
the field (and the file, when read from disk).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from utils.errors import CourseError
from utils.paths import REPO_ROOT, results_dir

SCHEMA_VERSION = 1

_NUMBER = (int, float)
#: field -> (accepted types, may be None)
FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "schema_version": ((int,), False),
    "experiment": ((str,), False),
    "notebook": ((str,), False),
    "model_id": ((str,), False),
    "task": ((str,), False),
    "dataset": ((str,), True),
    "params_total": ((int,), False),
    "params_trainable": ((int,), False),
    "train_time_s": (_NUMBER, True),
    "infer_time_per_example_s": (_NUMBER, True),
    "throughput_per_s": (_NUMBER, True),
    "flops_per_example": (_NUMBER, True),
    "peak_memory_mb": (_NUMBER, True),
    "metric_name": ((str,), True),
    "metric_value": (_NUMBER, True),
    "provenance": ((dict,), False),
}
PROVENANCE_FIELDS = ("mode", "hardware", "versions", "git_commit", "date")


def git_commit() -> str:
    """The repository's HEAD commit, with ``-dirty`` if tracked files changed; "unknown" outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def hardware() -> dict:
    """CPU, core count, memory and GPU of this machine."""
    import psutil
    import torch

    from utils.environment import cpu_name

    return {
        "cpu": cpu_name(),
        "cores": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "torch_threads": torch.get_num_threads(),
    }


def provenance() -> dict:
    """Where and how a result was obtained: mode, hardware, versions, git commit, date."""
    from utils.environment import library_versions
    from utils.modes import get_mode

    return {
        "mode": get_mode(),
        "hardware": hardware(),
        "versions": library_versions(),
        "git_commit": git_commit(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def validate_record(record: dict, where: str = "record") -> dict:
    """Return ``record`` if it is well formed, else raise a CourseError naming the field."""
    if not isinstance(record, dict):
        raise CourseError(f"{where}: a record must be a JSON object, got {type(record).__name__}.")
    if "schema_version" in record and record["schema_version"] != SCHEMA_VERSION:
        raise CourseError(
            f"{where}: unknown schema_version {record['schema_version']!r} (this course reads "
            f"{SCHEMA_VERSION}); re-run the notebook that wrote it."
        )
    for name, (types, nullable) in FIELDS.items():
        if name not in record:
            raise CourseError(f"{where}: the required field {name!r} is missing; add it (None if it does not apply).")
        value = record[name]
        if value is None and nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            expected = " or ".join(t.__name__ for t in types) + (" or None" if nullable else "")
            raise CourseError(f"{where}: the field {name!r} must be {expected}, got {value!r}.")
    if not record["experiment"].strip():
        raise CourseError(f"{where}: the field 'experiment' must not be empty.")
    for name in PROVENANCE_FIELDS:
        if name not in record["provenance"]:
            raise CourseError(f"{where}: the provenance field {name!r} is missing; build records with make_record().")
    return record


def make_record(
    experiment: str,
    notebook: str,
    model_id: str,
    task: str,
    dataset: str | None,
    *,
    params_total: int,
    params_trainable: int,
    train_time_s: float | None = None,
    infer_time_per_example_s: float | None = None,
    throughput_per_s: float | None = None,
    flops_per_example: float | None = None,
    peak_memory_mb: float | None = None,
    metric_name: str | None = None,
    metric_value: float | None = None,
    details: dict | None = None,
) -> dict:
    """Build a validated record of one experiment, with :func:`provenance` attached.

    Times are in seconds; ``peak_memory_mb`` is the peak memory the measured step added
    to the process (see :class:`utils.measure.PeakMemory`), in MB; FLOPs are forward FLOPs
    per example. ``details`` holds any experiment-specific figures (JSON-serialisable)
    for the topic tables of the report. Fields that do not apply are None.
    """
    record = {
        "schema_version": SCHEMA_VERSION,
        "experiment": experiment,
        "notebook": notebook,
        "model_id": model_id,
        "task": task,
        "dataset": dataset,
        "params_total": params_total,
        "params_trainable": params_trainable,
        "train_time_s": train_time_s,
        "infer_time_per_example_s": infer_time_per_example_s,
        "throughput_per_s": throughput_per_s,
        "flops_per_example": flops_per_example,
        "peak_memory_mb": peak_memory_mb,
        "metric_name": metric_name,
        "metric_value": metric_value,
        "details": details or {},
        "provenance": provenance(),
    }
    return validate_record(record, where=f"record {experiment!r}")


def record_path(record: dict, directory: Path | None = None) -> Path:
    """The file a record is saved to: ``<results>/<notebook stem>--<experiment slug>.json``."""
    stem = Path(record["notebook"]).stem
    slug = re.sub(r"[^a-z0-9]+", "-", record["experiment"].lower()).strip("-")
    return (directory or results_dir()) / f"{stem}--{slug}.json"


def save_record(record: dict, directory: Path | None = None) -> Path:
    """Validate and write ``record`` atomically (temporary file, then rename); return its path."""
    validate_record(record, where=f"record {record.get('experiment', '?')!r}" if isinstance(record, dict) else "record")
    path = record_path(record, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle, indent=2, sort_keys=False)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_records(directory: Path | None = None) -> list[dict]:
    """Read and validate every record in the results folder, sorted by file name."""
    directory = directory or results_dir()
    records = []
    for path in sorted(Path(directory).glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except ValueError as exc:
            raise CourseError(f"{path}: not valid JSON ({exc}); delete it and re-run its notebook.") from None
        records.append(validate_record(record, where=str(path)))
    return records
