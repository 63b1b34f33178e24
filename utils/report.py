"""Generate the report's tables from the records, between markers, leaving prose untouched.

A generated block in a Markdown file looks like::

    <!-- BEGIN GENERATED: main-table -->
    ... replaced on every regeneration ...
    <!-- END GENERATED: main-table -->

Everything outside the markers is written by people and never changed. The report has
the main table, one block per topic (:data:`TOPICS`) and the provenance; the README has
the main table again, between its own ``results-at-a-glance`` markers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from utils.errors import CourseError
from utils.paths import REPO_ROOT, figures_dir, report_dir
from utils.records import load_records

#: The main table's columns, in order (units in the headers).
MAIN_COLUMNS = [
    "Experiment", "Dataset", "Model", "Training time (s)", "Inference time (ms/example)",
    "FLOPs (GFLOP/example)", "Parameters (M, trainable %)", "Memory (MB, peak added)", "Metric",
]

NO_RESULTS = "No results recorded yet: run `make course`."

#: The tracked report, whose prose seeds a report written anywhere else (e.g. by `make test`).
TRACKED_REPORT = REPO_ROOT / "report" / "REPORT.md"
README = REPO_ROOT / "README.md"


def _fmt(value, scale: float = 1.0, digits: int = 2) -> str:
    return "–" if value is None else f"{value * scale:,.{digits}f}"


def main_table(records: list[dict]):
    """The main comparison table (a pandas DataFrame of formatted strings), one row per record."""
    import pandas as pd

    rows = []
    for r in records:
        share = r["params_trainable"] / r["params_total"] if r["params_total"] else 0.0
        metric = "–" if r["metric_name"] is None else f"{r['metric_name']} {_fmt(r['metric_value'], digits=3)}"
        rows.append([
            f"{r['experiment']} ({Path(r['notebook']).stem})",
            r["dataset"] or "–",
            r["model_id"],
            _fmt(r["train_time_s"], digits=1),
            _fmt(r["infer_time_per_example_s"], 1e3),
            _fmt(r["flops_per_example"], 1e-9),
            f"{r['params_total'] / 1e6:,.2f} ({share:.1%})",
            _fmt(r["peak_memory_mb"], digits=0),
            metric,
        ])
    return pd.DataFrame(rows, columns=MAIN_COLUMNS)


def to_markdown(frame) -> str:
    """A DataFrame as a GitHub Markdown table (no index); missing values show as a dash."""
    return frame.astype(object).where(frame.notna(), "–").to_markdown(index=False)


# --- topic tables ------------------------------------------------------------------------


def _of(records: list[dict], notebook_prefix: str) -> list[dict]:
    return [r for r in records if r["notebook"].startswith(notebook_prefix)]


def _detail(record: dict, key: str, default=None):
    return record["details"].get(key, default)


def _round(value, digits: int):
    return None if value is None else round(value, digits)


def pipelines_table(records: list[dict]):
    """01: throughput of the sentiment pipeline by batch size, in dataset order and sorted by length."""
    import pandas as pd

    found = [r for r in _of(records, "01") if "throughput_by_batch_size" in r["details"]]
    if not found:
        return None
    d = found[0]["details"]
    return pd.DataFrame({
        "Batch size": [int(b) for b in d["throughput_by_batch_size"]],
        "Examples/s (dataset order)": list(d["throughput_by_batch_size"].values()),
        "Examples/s (sorted by length)": [d.get("throughput_by_batch_size_sorted", {}).get(b) for b in d["throughput_by_batch_size"]],
        "Padding share of tokens": [d.get("pad_share_by_batch_size", {}).get(b) for b in d["throughput_by_batch_size"]],
    })


def generation_table(records: list[dict]):
    """01 and 08: the chat model's generation speed (tokens/s) by strategy and variant."""
    import pandas as pd

    rows = []
    for r in records:
        for strategy, speed in _detail(r, "tokens_per_s_by_strategy", {}).items():
            rows.append({"Notebook": Path(r["notebook"]).stem, "Strategy": strategy, "Tokens/s": round(speed, 1)})
        if r["task"] == "text-generation" and _detail(r, "throughput_unit") == "generated tokens/s":
            rows.append({"Notebook": Path(r["notebook"]).stem, "Strategy": r["experiment"].removeprefix("generation: "),
                         "Tokens/s": _round(r["throughput_per_s"], 1)})
    return pd.DataFrame(rows) if rows else None


def datasets_table(records: list[dict]):
    """03: the time of each way of tokenizing with ``map``, and padding saved by dynamic padding."""
    import pandas as pd

    found = [r for r in _of(records, "03") if "seconds" in r["details"]]
    if not found:
        return None
    d = found[0]["details"]
    rows = [{"Operation": f"map: {name}", "Value": f"{seconds:.3f} s"} for name, seconds in d["seconds"].items()]
    pads, real = d.get("pad_tokens", {}), d.get("real_tokens")
    if real and "fixed" in pads and "dynamic" in pads:
        for kind in ("fixed", "dynamic"):
            rows.append({"Operation": f"tokens computed, {kind} padding", "Value": f"{real + pads[kind]:,}"})
        saved = 1 - (real + pads["dynamic"]) / (real + pads["fixed"])
        rows.append({"Operation": "tokens saved by dynamic padding", "Value": f"{saved:.0%}"})
    if "memory_mapped_mb_on_disk" in d:
        rows.append({"Operation": "memory-mapped Arrow file on disk", "Value": f"{d['memory_mapped_mb_on_disk']} MB"})
    return pd.DataFrame(rows)


def confidence_interval(record: dict) -> tuple[float, float, str] | None:
    """The 95% interval of a record's metric: its own bootstrap interval when it has one,
    else a Wilson interval for an accuracy measured on ``details['eval_examples']`` examples."""
    interval = _detail(record, "confidence_interval_95")
    if interval:
        return float(interval[0]), float(interval[1]), "bootstrap"
    n = _detail(record, "eval_examples")
    if record["metric_name"] in ("accuracy", "exact answer rate") and n and record["metric_value"] is not None:
        from scipy.stats import binomtest

        ci = binomtest(round(record["metric_value"] * n), n).proportion_ci(confidence_level=0.95, method="wilson")
        return ci.low, ci.high, "Wilson"
    return None


def evaluation_table(records: list[dict]):
    """Every model's metric, with a 95% confidence interval where the record allows one."""
    import pandas as pd

    rows = []
    for r in records:
        if r["metric_value"] is None:
            continue
        ci = confidence_interval(r)
        rows.append({"Experiment": f"{r['experiment']} ({Path(r['notebook']).stem})", "Dataset": r["dataset"] or "–",
                     "Metric": r["metric_name"], "Value": round(r["metric_value"], 4),
                     "95% interval": f"[{ci[0]:.3f}, {ci[1]:.3f}] ({ci[2]})" if ci else "–"})
    return pd.DataFrame(rows) if rows else None


def trainer_table(records: list[dict]):
    """05: Trainer against the plain PyTorch loop."""
    import pandas as pd

    found = _of(records, "05")
    if not found:
        return None
    return pd.DataFrame([{
        "Experiment": r["experiment"], "Training time (s)": _round(r["train_time_s"], 1),
        "Steps": _detail(r, "steps"), "Accuracy": _round(r["metric_value"], 4),
        "Achieved GFLOP/s": _round((_detail(r, "achieved_flops_per_s") or 0) / 1e9, 1),
        "Share of matmul peak": (f"{_detail(r, 'achieved_flops_per_s') / _detail(r, 'matmul_peak_flops_per_s'):.0%}"
                                 if _detail(r, "matmul_peak_flops_per_s") else "–"),
        "McNemar p (Trainer against loop)": _round(_detail(r, "mcnemar_p"), 3),
    } for r in found])


def peft_table(records: list[dict]):
    """06: every PEFT method next to 05's full fine-tuning."""
    import pandas as pd

    found = [r for r in _of(records, "05") if "Trainer" in r["experiment"]] + _of(records, "06")
    if not found:
        return None
    return pd.DataFrame([{
        "Method": r["experiment"], "Dataset": r["dataset"], "Trainable": r["params_trainable"],
        "Trainable %": round(100 * r["params_trainable"] / r["params_total"], 3) if r["params_total"] else None,
        "s/step": _round(_detail(r, "s_per_step"), 3), "Training time (s)": _round(r["train_time_s"], 1),
        "Memory (MB)": _round(r["peak_memory_mb"], 0), "Metric": f"{r['metric_name']} {r['metric_value']:.4f}",
        "Checkpoint (MB)": _round(_detail(r, "adapter_mb", _detail(r, "checkpoint_mb")), 2),
    } for r in found])


def accelerate_table(records: list[dict]):
    """07: training with accelerate in one and several processes."""
    import pandas as pd

    found = _of(records, "07")
    if not found:
        return None
    return pd.DataFrame([{
        "Experiment": r["experiment"], "Launcher": _detail(r, "launcher", "–"), "Processes": _detail(r, "world_size"),
        "Precision": _detail(r, "mixed_precision", "–"), "Training time (s)": _round(r["train_time_s"], 1),
        "Median step (s)": _round(_detail(r, "median_step_s"), 3),
        "Training examples per rank": ", ".join(map(str, _detail(r, "train_examples_per_rank", []))) or "–",
        "Accuracy": _round(r["metric_value"], 4), "Dataset": r["dataset"],
    } for r in found])


def inference_table(records: list[dict]):
    """08: every inference variant of the sentiment model, measured the same way."""
    import pandas as pd

    found = [r for r in _of(records, "08") if r["task"] == "text-classification"]
    if not found:
        return None
    return pd.DataFrame([{
        "Variant": _detail(r, "variant", r["experiment"]), "Batch size": _detail(r, "batch_size"),
        "Latency median (ms/call)": _round(_detail(r, "latency_median_ms"), 2),
        "Latency p95 (ms/call)": _round(_detail(r, "latency_p95_ms"), 2),
        "Time per example (ms)": _round((r["infer_time_per_example_s"] or 0) * 1e3, 2),
        "Throughput (examples/s)": _round(r["throughput_per_s"], 1),
        "Speed-up": _round(_detail(r, "speedup"), 2), "Accuracy": _round(r["metric_value"], 4),
        "Accuracy change (points)": _round(_detail(r, "accuracy_change_points"), 2),
        "Size on disk (MB)": _round(_detail(r, "size_on_disk_mb"), 1),
    } for r in found])


#: The report's topic blocks: marker name -> (table builder, figures shown under it, notebook to run).
TOPICS: dict[str, tuple[Callable, list[str], str]] = {
    "pipelines": (pipelines_table, ["pipeline_throughput_by_batch_size"], "01_pipelines"),
    "generation": (generation_table, [], "01_pipelines"),
    "datasets": (datasets_table, [], "03_datasets"),
    "evaluation": (evaluation_table, ["spam_confusion_matrices"], "04_evaluate"),
    "trainer": (trainer_table, ["trainer_learning_curve"], "05_trainer"),
    "peft": (peft_table, ["peft_accuracy_vs_trainable_parameters"], "06_peft"),
    "accelerate": (accelerate_table, [], "07_accelerate"),
    "inference": (inference_table, ["inference_latency_accuracy"], "08_inference"),
}


def topic_block(name: str, records: list[dict], figures: Path | None = None) -> str:
    """The Markdown of one topic block: its table, then its figures that exist (paths relative to the report)."""
    if name not in TOPICS:
        raise CourseError(f"Unknown report topic {name!r}: choose one of {', '.join(TOPICS)}.")
    build, figure_names, notebook = TOPICS[name]
    table = build(records) if records else None
    parts = [to_markdown(table) if table is not None else f"No results recorded yet: run {notebook}.ipynb."]
    figures = figures or figures_dir()
    for figure in figure_names:
        if (figures / f"{figure}.png").exists():
            parts.append(f"![{figure.replace('_', ' ')}](figures/{figure}.png)")
    return "\n\n".join(parts)


def provenance_block(records: list[dict]) -> str:
    """Markdown describing where the records were measured (modes, hardware, versions, commits, dates)."""
    if not records:
        return NO_RESULTS
    modes = sorted({r["provenance"]["mode"] for r in records})
    commits = sorted({r["provenance"]["git_commit"] for r in records})
    dates = sorted(r["provenance"]["date"] for r in records)
    hw = records[-1]["provenance"]["hardware"]
    versions = records[-1]["provenance"]["versions"]
    lines = [
        f"- Mode: {', '.join(modes)}",
        f"- Hardware: {hw['cpu']}, {hw['cores']} cores, {hw['memory_gb']} GB memory, GPU: {hw['gpu'] or 'none'}",
        f"- Git commit(s): {', '.join(c[:12] + ('-dirty' if c.endswith('-dirty') else '') for c in commits)}",
        f"- Measured between {dates[0]} and {dates[-1]} ({len(records)} records)",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- Reproduce: `make course` (offline mode, the default) from a clone of the repository; "
        "`COURSE_MODE=hub make course` for the Hub's checkpoints.",
    ]
    return "\n".join(lines)


def replace_between_markers(text: str, name: str, content: str) -> str:
    """Replace what lies between the ``name`` markers of ``text`` with ``content``.

    Raises:
        CourseError: the markers are missing or out of order.
    """
    begin, end = f"<!-- BEGIN GENERATED: {name} -->", f"<!-- END GENERATED: {name} -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if len(pattern.findall(text)) != 1:
        raise CourseError(
            f"The document needs exactly one pair of markers {begin} ... {end}: add them where "
            f"the {name!r} block belongs."
        )
    return pattern.sub(lambda _: f"{begin}\n{content.strip()}\n{end}", text)


def main_block(records: list[dict]) -> str:
    """The main table as Markdown (or a line saying how to get one)."""
    return to_markdown(main_table(records)) if records else NO_RESULTS


def render_report(text: str, records: list[dict], figures: Path | None = None) -> str:
    """The report text with every generated block (main table, topics, provenance) rebuilt from ``records``."""
    text = replace_between_markers(text, "main-table", main_block(records))
    for name in TOPICS:
        text = replace_between_markers(text, name, topic_block(name, records, figures))
    return replace_between_markers(text, "provenance", provenance_block(records))


def report_template() -> str:
    """A report with every marker and no prose, for a report folder that has none."""
    topics = "\n\n".join(f"## {name.capitalize()}\n\n<!-- BEGIN GENERATED: {name} -->\n<!-- END GENERATED: {name} -->"
                         for name in TOPICS)
    return ("# Learning report\n\nWhat the course measured on its own runs.\n\n## Results\n\n"
            "<!-- BEGIN GENERATED: main-table -->\n<!-- END GENERATED: main-table -->\n\n"
            f"{topics}\n\n## Provenance\n\n<!-- BEGIN GENERATED: provenance -->\n<!-- END GENERATED: provenance -->\n")


def _write_if_changed(path: Path, new: str) -> None:
    if not path.exists() or path.read_text() != new:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{path.name}")
        tmp.write_text(new)
        tmp.replace(path)


def update_report(path: Path | None = None, records: list[dict] | None = None) -> Path:
    """Regenerate the report's generated blocks in place and return its path.

    A report folder without a REPORT.md (e.g. ``make test``'s) starts from the tracked
    report's prose, or from an empty template.
    """
    path = Path(path) if path else report_dir() / "REPORT.md"
    records = load_records() if records is None else records
    if path.exists():
        text = path.read_text()
    else:
        text = TRACKED_REPORT.read_text() if TRACKED_REPORT.exists() else report_template()
    _write_if_changed(path, render_report(text, records, figures=path.parent / "figures"))
    return path


def update_readme(path: Path = README, records: list[dict] | None = None) -> Path:
    """Regenerate the README's ``results-at-a-glance`` block (the main table) from ``records``."""
    records = load_records() if records is None else records
    block = main_block(records)
    if records:
        hw = records[-1]["provenance"]["hardware"]
        block += (f"\n\nMeasured by `make course` in {records[-1]['provenance']['mode']} mode on {hw['cpu']} "
                  f"({hw['cores']} cores); topic tables, figures and provenance: [report/REPORT.md](report/REPORT.md).")
    _write_if_changed(path, replace_between_markers(path.read_text(), "results-at-a-glance", block))
    return path
