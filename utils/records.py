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
import typing
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from utils.errors import CourseError
from utils.paths import REPO_ROOT, results_dir

SCHEMA_VERSION = 2

_NUMBER = (int, float)


@dataclass
class Record:
    """The fields of one experiment's record, declared once, in the order of the JSON file's keys.

    Times are in seconds; sizes and memory in MB (10**6 bytes); ``peak_memory_mb`` is the
    peak memory the measured step added to the process (see :class:`utils.measure.PeakMemory`);
    FLOPs are forward FLOPs per example, with ``tokens_per_example`` the tokens they were
    counted on (padding included). A classification metric comes with ``baseline_value``,
    the majority-class baseline's score on the same ``eval_examples`` examples. ``details``
    holds the figures of the topic's table (:data:`DETAILS`). Fields that do not apply are None.
    """

    schema_version: int
    experiment: str
    notebook: str
    topic: str
    model_id: str | None
    task: str
    dataset: str | None
    params_total: int | None = None
    params_trainable: int | None = None
    train_time_s: float | None = None
    infer_time_per_example_s: float | None = None
    throughput_per_s: float | None = None
    flops_per_example: float | None = None
    tokens_per_example: float | None = None
    peak_memory_mb: float | None = None
    metric_name: str | None = None
    metric_value: float | None = None
    baseline_value: float | None = None
    eval_examples: int | None = None
    parameters: dict = field(default_factory=dict)
    changed_parameters: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)


def _accepted(annotation) -> tuple[tuple[type, ...], bool]:
    """A field's annotation as (accepted types, may be None); a float field also takes an int."""
    kinds = typing.get_args(annotation) or (annotation,)
    types = tuple(k for k in kinds if k is not type(None))
    return (_NUMBER if types == (float,) else types), type(None) in kinds


#: field -> (accepted types, may be None), read from :class:`Record`
FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    name: _accepted(hint) for name, hint in typing.get_type_hints(Record).items()}
#: what an experiment measures: the fields that :func:`make_record` takes as keywords
MEASURED = tuple(f.name for f in fields(Record)
                 if f.name not in ("schema_version", "experiment", "notebook", "topic", "model_id", "task",
                                   "dataset", "parameters", "changed_parameters", "provenance"))
#: Metrics that score a classifier: a record with one must carry the majority-class
#: baseline on the same examples (``baseline_value``) and their number (``eval_examples``).
CLASSIFICATION_METRICS = ("accuracy", "f1", "balanced_accuracy", "answer accuracy", "format compliance")
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


#: The details each topic's records must carry (key -> accepted types, may be None), checked
#: when a record is saved or read: the report's topic tables read exactly these keys.
DETAILS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "loading": {"load_s": (_NUMBER, False)},
    "pipelines": {"batch_sizes": ((list,), False), "throughput_by_batch_size": ((list,), False),
                  "throughput_by_batch_size_sorted": ((list,), False), "pad_share_by_batch_size": ((list,), False)},
    "generation": {"setting": ((str,), False), "new_tokens": ((int,), False), "prompt_tokens": ((int,), False),
                   "p95_s": (_NUMBER, False)},
    "tokenizers": {"tokens_per_word": (_NUMBER, False), "split_word_share": (_NUMBER, False),
                   "unknown_share": (_NUMBER, False), "fast_s": (_NUMBER, True), "slow_s": (_NUMBER, True)},
    "datasets": {"map_seconds": ((dict,), False), "real_tokens": ((int,), False), "fixed_tokens": ((int,), False),
                 "dynamic_tokens": ((int,), False), "max_length": ((int,), False)},
    "evaluation": {"confidence_interval_95": ((list,), True)},
    "training": {"steps": ((int,), False), "s_per_step": (_NUMBER, True), "checkpoint_mb": (_NUMBER, True)},
    "peft": {"method": ((str,), False), "steps": ((int,), False), "s_per_step": (_NUMBER, True),
             "checkpoint_mb": (_NUMBER, True)},
    "accelerate": {"launcher": ((str,), False), "world_size": ((int,), False), "mixed_precision": ((str,), False),
                   "median_step_s": (_NUMBER, False), "train_examples_per_rank": ((list,), False)},
    "inference": {"variant": ((str,), False), "batch_size": ((int,), False), "latency_median_ms": (_NUMBER, False),
                  "latency_p95_ms": (_NUMBER, False), "size_on_disk_mb": (_NUMBER, True), "speedup": (_NUMBER, False)},
    "vision": {"epochs": ((int,), False), "image_size": ((int,), False)},
    "frameworks": {"framework": ((str,), False), "steps": ((int,), False), "s_per_step": (_NUMBER, False),
                   "relative_s_per_step": (_NUMBER, False), "lines_of_code": ((int,), False)},
    "preference": {"method": ((str,), False), "steps": ((int,), False), "s_per_step": (_NUMBER, True),
                   "preference_accuracy": (_NUMBER, False), "format_compliance": (_NUMBER, False),
                   "positive_share": (_NUMBER, False), "checkpoint_mb": (_NUMBER, True)},
    "serving": {"path": ((str,), False), "cold_start_s": (_NUMBER, False), "p50_ms": (_NUMBER, False),
                "p95_ms": (_NUMBER, False), "requests_per_s": (_NUMBER, False), "concurrency": ((int,), False)},
    "browser": {"runtime": ((str,), False), "weights": ((str,), False), "download_mb": (_NUMBER, False),
                "load_s": (_NUMBER, False), "max_abs_diff_vs_python": (_NUMBER, False),
                "same_label_as_python": (_NUMBER, False)},
    "diffusion": {"sampler": ((str,), False), "sampling_steps": ((int,), False), "guidance_scale": (_NUMBER, False),
                  "train_steps": ((int,), False), "judge_accuracy": (_NUMBER, False), "per_class": ((list,), False),
                  "unet_calls_per_image": ((int,), False)},
}


def _check_type(where: str, name: str, value, types: tuple[type, ...], nullable: bool) -> None:
    if value is None and nullable:
        return
    if isinstance(value, bool) or not isinstance(value, types):
        expected = " or ".join(t.__name__ for t in types) + (" or None" if nullable else "")
        raise CourseError(f"{where}: the field {name!r} must be {expected}, got {value!r}.")


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
        _check_type(where, name, record[name], types, nullable)
    if not record["experiment"].strip():
        raise CourseError(f"{where}: the field 'experiment' must not be empty.")
    if record["topic"] not in DETAILS:
        raise CourseError(f"{where}: unknown topic {record['topic']!r}; use one of {', '.join(DETAILS)}.")
    for name, (types, nullable) in DETAILS[record["topic"]].items():
        if name not in record["details"]:
            raise CourseError(f"{where}: the {record['topic']} detail {name!r} is missing; the report's "
                              f"{record['topic']} table needs it.")
        _check_type(where, f"details.{name}", record["details"][name], types, nullable)
    if (record["metric_name"] is None) != (record["metric_value"] is None):
        raise CourseError(f"{where}: give both metric_name and metric_value, or neither.")
    if record["metric_name"] in CLASSIFICATION_METRICS and record["metric_value"] is not None:
        for name in ("baseline_value", "eval_examples"):
            if record[name] is None:
                raise CourseError(f"{where}: a {record['metric_name']} needs {name!r}: the majority-class "
                                  "baseline's score on the same examples, and how many there were.")
    if record["flops_per_example"] is not None and record["tokens_per_example"] is None \
            and record["topic"] not in ("vision", "diffusion"):
        raise CourseError(f"{where}: FLOPs per example need 'tokens_per_example' (the tokens computed per "
                          "example, padding included), so that they can be checked per token.")
    for name in PROVENANCE_FIELDS:
        if name not in record["provenance"]:
            raise CourseError(f"{where}: the provenance field {name!r} is missing; build records with make_record().")
    return record


def make_record(experiment: str, notebook: str, topic: str, model_id: str | None, task: str,
                dataset: str | None, **measured) -> dict:
    """Build a validated record of one experiment (:class:`Record`), with :func:`provenance` and the run's
    parameters; ``measured`` holds the figures that apply, by their field names (:data:`MEASURED`)."""
    from utils import params

    unknown = sorted(set(measured) - set(MEASURED))
    if unknown:
        raise CourseError(f"record {experiment!r}: {', '.join(map(repr, unknown))} is not a field of a record: "
                          f"use one of {', '.join(MEASURED)}.")
    values = params.current(notebook)
    record = Record(SCHEMA_VERSION, experiment, notebook, topic, model_id, task, dataset, **measured,
                    parameters=values, changed_parameters=params.changed(notebook, values), provenance=provenance())
    record.details = _plain(record.details or {})
    return validate_record(_plain(asdict(record)), where=f"record {experiment!r}")


def _plain(value):
    """NumPy and torch scalars as Python numbers, tuples as lists: what JSON stores."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        return value.item()
    return value


def save_result(experiment: str, notebook: str, topic: str, model_id: str | None, task: str, dataset: str | None,
         **fields) -> None:
    """Make, validate and save one record, and print where (a notebook's results cell is one call)."""
    print("saved", save_record(make_record(experiment, notebook, topic, model_id, task, dataset, **fields)))


def is_reference(record: dict) -> bool:
    """Whether a record ran with its notebook's default parameters (only those go into reference tables)."""
    return not record["changed_parameters"]


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


def find_record(experiment: str, notebook: str, mode: str | None = None) -> dict:
    """The record of ``experiment`` that a later notebook builds on: yours if you ran ``notebook``
    in this mode, otherwise the reference run's; prints which one it read.

    Raises:
        CourseError: neither your report folder nor the reference run holds it.
    """
    from utils.modes import get_mode
    from utils.paths import REFERENCE_DIR

    mode = get_mode(mode)
    stem = Path(notebook).stem
    mine = [r for r in load_records() if r["experiment"] == experiment and Path(r["notebook"]).stem == stem
            and r["provenance"]["mode"] == mode] if results_dir().is_dir() else []
    if mine:
        print(f"{experiment!r}: your record from {stem}.ipynb ({mode} mode, {results_dir()})")
        return mine[0]
    folder = REFERENCE_DIR / "results"
    reference = [r for r in (load_records(folder) if folder.is_dir() else []) if r["experiment"] == experiment
                 and Path(r["notebook"]).stem == stem]
    if not reference:
        raise CourseError(f"No record of {experiment!r} from {stem}.ipynb, yours or the reference run's: "
                          f"run {stem}.ipynb first.")
    print(f"{experiment!r}: the reference run's record (you have not run {stem}.ipynb in {mode} mode yet; "
          "run it to compare with your own)")
    return reference[0]
