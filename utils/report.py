"""Generate the report's tables from the records, between markers, leaving prose untouched.

A generated block in a Markdown file looks like::

    <!-- BEGIN GENERATED: main-table -->
    ... replaced on every regeneration ...
    <!-- END GENERATED: main-table -->

Everything outside the markers is written by people and never changed. The report has
the main table, one block per topic (:data:`TOPICS`) and the provenance. The main table and the
evaluation table are built in notebook 17's cells (exported to :mod:`utils.report_tables`); the other
topics' tables are built here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from utils.errors import CourseError
from utils.paths import REPO_ROOT, figures_dir, report_dir
from utils.records import is_reference, load_records
from utils.report_tables import (  # built in notebook 17's cells, exported with #@save
    evaluation_table,
    fmt,
    main_table,
    metric_text,
    percent,
    records_frame,
)

#: The main table's columns, in order (units in the headers).
MAIN_COLUMNS = [
    "Experiment", "Dataset", "Model", "Training time (s)", "Inference time (ms/example)",
    "FLOPs (GFLOP/example)", "Parameters (M, trainable %)", "Memory (MB, peak added)", "Metric (majority baseline)",
]

NO_RESULTS = "No results recorded yet: run `make course`."

#: The tracked report, whose prose seeds a report written anywhere else (e.g. by `make test`).
TRACKED_REPORT = REPO_ROOT / "report" / "REPORT.md"


def label(record: dict) -> str:
    """How a record is named in tables: its experiment and notebook; a dagger marks non-default parameters."""
    return records_frame([record])["label"].iloc[0]


def metric_cell(record: dict) -> str:
    """A record's metric with its majority-class baseline in brackets."""
    return metric_text(records_frame([record])).iloc[0]


def to_markdown(frame) -> str:
    """A DataFrame as a GitHub Markdown table (no index); missing values show as a dash."""
    return frame.astype(object).where(frame.notna(), "–").to_markdown(index=False)


# --- topic tables ------------------------------------------------------------------------


def _of(records: list[dict], topic: str) -> list[dict]:
    return [r for r in records if r["topic"] == topic]


def _round(value, digits: int):
    return None if value is None else round(value, digits)


def pipelines_table(records: list[dict]):
    """Throughput of the sentiment pipeline by batch size, in dataset order and sorted by length."""
    import pandas as pd

    found = _of(records, "pipelines")
    if not found:
        return None
    d = found[0]["details"]
    return pd.DataFrame({
        "Batch size": d["batch_sizes"],
        "Examples/s (dataset order)": [round(v, 1) for v in d["throughput_by_batch_size"]],
        "Examples/s (sorted by length)": [round(v, 1) for v in d["throughput_by_batch_size_sorted"]],
        "Padding share of tokens": [round(v, 3) for v in d["pad_share_by_batch_size"]],
    })


def generation_table(records: list[dict]):
    """The chat model's generation speed (tokens/s) by strategy and variant, all timed by ``time_generation``."""
    import pandas as pd

    found = _of(records, "generation")
    if not found:
        return None
    return pd.DataFrame([{"Experiment": label(r), "Setting": r["details"]["setting"],
                          "Tokens/s (median)": _round(r["throughput_per_s"], 1),
                          "s per reply (median)": _round(r["infer_time_per_example_s"], 2),
                          "s per reply (p95)": _round(r["details"]["p95_s"], 2),
                          "New tokens": r["details"]["new_tokens"]} for r in found])


def datasets_table(records: list[dict]):
    """The time of each way of tokenizing with ``map``, and the tokens that dynamic padding saves."""
    import pandas as pd

    found = _of(records, "datasets")
    if not found:
        return None
    d = found[0]["details"]
    rows = [{"Operation": f"map: {name}", "Value": f"{seconds:.3f} s"} for name, seconds in d["map_seconds"].items()]
    rows += [{"Operation": f"tokens computed, {kind} padding", "Value": f"{d[kind + '_tokens']:,}"}
             for kind in ("fixed", "dynamic")]
    rows.append({"Operation": "tokens saved by dynamic padding",
                 "Value": f"{1 - d['dynamic_tokens'] / d['fixed_tokens']:.0%}"})
    return pd.DataFrame(rows)


def training_table(records: list[dict]):
    """Full fine-tuning: Trainer, the plain loop and the variants, measured the same way."""
    import pandas as pd

    found = _of(records, "training")
    if not found:
        return None
    return pd.DataFrame([{
        "Experiment": label(r), "Training time (s)": _round(r["train_time_s"], 1), "Steps": r["details"]["steps"],
        "s/step": _round(r["details"]["s_per_step"], 3), "Metric (majority baseline)": metric_cell(r),
        "Memory (MB)": _round(r["peak_memory_mb"], 0),
        "Checkpoint (MB)": _round(r["details"]["checkpoint_mb"], 1),
    } for r in found])


def peft_table(records: list[dict]):
    """Every PEFT method next to full fine-tuning with Trainer on the same reviews."""
    import pandas as pd

    found = [r for r in _of(records, "training") if r["experiment"] == "full fine-tuning with Trainer"]
    found += _of(records, "peft")
    if not _of(records, "peft"):
        return None
    return pd.DataFrame([{
        "Method": label(r), "Dataset": r["dataset"], "Trainable": r["params_trainable"],
        "Trainable %": percent(r["params_trainable"] / r["params_total"]) if r["params_total"] else "–",
        "s/step": _round(r["details"]["s_per_step"], 3), "Training time (s)": _round(r["train_time_s"], 1),
        "Memory (MB)": _round(r["peak_memory_mb"], 0), "Metric": metric_cell(r),
        "Checkpoint (MB)": _round(r["details"]["checkpoint_mb"], 2),
    } for r in found])


def accelerate_table(records: list[dict]):
    """Training with accelerate in one and several processes."""
    import pandas as pd

    found = _of(records, "accelerate")
    if not found:
        return None
    return pd.DataFrame([{
        "Experiment": label(r), "Launcher": r["details"]["launcher"], "Processes": r["details"]["world_size"],
        "Precision": r["details"]["mixed_precision"], "Training time (s)": _round(r["train_time_s"], 1),
        "Median step (s)": _round(r["details"]["median_step_s"], 3),
        "Training examples per rank": ", ".join(map(str, r["details"]["train_examples_per_rank"])),
        "Accuracy": _round(r["metric_value"], 4), "Majority baseline": _round(r["baseline_value"], 4),
    } for r in found])


def inference_table(records: list[dict]):
    """Every inference variant of the sentiment model, measured the same way."""
    import pandas as pd

    found = _of(records, "inference")
    if not found:
        return None
    return pd.DataFrame([{
        "Variant": r["details"]["variant"], "Batch size": r["details"]["batch_size"],
        "Latency median (ms/example)": _round(r["details"]["latency_median_ms"], 2),
        "Latency p95 (ms/example)": _round(r["details"]["latency_p95_ms"], 2),
        "Time per example (ms)": _round((r["infer_time_per_example_s"] or 0) * 1e3, 2),
        "Throughput (examples/s)": _round(r["throughput_per_s"], 1), "Speed-up": _round(r["details"]["speedup"], 2),
        "Speed-up against": r["details"].get("speedup_against", "one at a time"),
        "Accuracy": _round(r["metric_value"], 4), "Majority baseline": _round(r["baseline_value"], 4),
        "Size on disk (MB)": _round(r["details"]["size_on_disk_mb"], 1),
    } for r in found])


def serving_table(records: list[dict]):
    """Each serving path, measured the same way: cold start, latency per request, requests per second."""
    import pandas as pd

    found = _of(records, "serving")
    if not found:
        return None
    return pd.DataFrame([{
        "Path": r["details"]["path"], "Model": r["model_id"] or "–", "Cold start (s)": _round(r["details"]["cold_start_s"], 2),
        "p50 (ms)": _round(r["details"]["p50_ms"], 1), "p95 (ms)": _round(r["details"]["p95_ms"], 1),
        "Requests/s": _round(r["details"]["requests_per_s"], 1), "Concurrent clients": r["details"]["concurrency"],
    } for r in found])


def vision_table(records: list[dict]):
    """Image classification: a small ViT from scratch against a pretrained EfficientNet, on the same digits."""
    import pandas as pd

    found = _of(records, "vision")
    if not found:
        return None
    return pd.DataFrame([{
        "Experiment": label(r), "Image size": r["details"]["image_size"], "Epochs": r["details"]["epochs"],
        "Parameters (M)": _round((r["params_total"] or 0) / 1e6, 2), "Training time (s)": _round(r["train_time_s"], 1),
        "GFLOP/image": fmt(r["flops_per_example"], 1e-9), "Memory (MB)": _round(r["peak_memory_mb"], 0),
        "Accuracy": _round(r["metric_value"], 4), "Majority baseline": _round(r["baseline_value"], 4),
    } for r in found])


def frameworks_table(records: list[dict]):
    """The same fine-tuning in each framework: accuracy beside the baseline, time per step against the plain loop."""
    import pandas as pd

    found = sorted(_of(records, "frameworks"), key=lambda r: r["details"]["relative_s_per_step"])
    if not found:
        return None
    return pd.DataFrame([{
        "Framework": r["details"]["framework"], "Steps": r["details"]["steps"],
        "Accuracy (majority baseline)": metric_cell(r).removeprefix("accuracy "),
        "s per step": round(r["details"]["s_per_step"], 3),
        "× plain loop (same run)": round(r["details"]["relative_s_per_step"], 2),
        "Memory (MB, peak added)": _round(r["peak_memory_mb"], 0), "Lines written": r["details"]["lines_of_code"],
    } for r in found])


def preference_table(records: list[dict]):
    """The chat model before and after each preference method, on the same held-out reviews."""
    import pandas as pd

    found = _of(records, "preference")
    if not found:
        return None
    return pd.DataFrame([{
        "Method": r["details"]["method"], "Steps": r["details"]["steps"],
        "s/step": _round(r["details"]["s_per_step"], 2), "Training time (s)": _round(r["train_time_s"], 1),
        "Trainable %": percent(r["params_trainable"] / r["params_total"]) if r["params_trainable"] else "–",
        "Adapter (MB)": _round(r["details"]["checkpoint_mb"], 1),
        "Preference accuracy": _round(r["details"]["preference_accuracy"], 2),
        "Answer accuracy (majority baseline)": metric_cell(r).removeprefix("answer accuracy "),
        "Format compliance": _round(r["details"]["format_compliance"], 2),
        "Answers 'positive'": f"{r['details']['positive_share']:.0%}",
    } for r in found])


def tokenizers_table(records: list[dict]):
    """Tokens per word, split words and unknown tokens of each tokenizer on the same reviews, and its speed."""
    import pandas as pd

    found = _of(records, "tokenizers")
    if not found:
        return None
    return pd.DataFrame([{"Tokenizer": r["model_id"], "Tokens per word": round(r["details"]["tokens_per_word"], 3),
                          "Words in several pieces": round(r["details"]["split_word_share"], 3),
                          "Unknown tokens": round(r["details"]["unknown_share"], 4),
                          "Rust (s)": _round(r["details"]["fast_s"], 3), "Python (s)": _round(r["details"]["slow_s"], 3)}
                         for r in found])


def browser_table(records: list[dict]):
    """The classifier in each runtime, one review at a time on one thread: download, load, speed, and how far from Python."""
    import pandas as pd

    found = _of(records, "browser")
    if not found:
        return None
    return pd.DataFrame([{
        "Runtime": r["details"]["runtime"], "Weights": r["details"]["weights"],
        "Download (MB)": _round(r["details"]["download_mb"], 1), "Load (s)": _round(r["details"]["load_s"], 2),
        "ms per review": _round((r["infer_time_per_example_s"] or 0) * 1e3, 1),
        "Accuracy (majority baseline)": metric_cell(r).removeprefix("accuracy "),
        "max |ΔP| vs Python": f"{r['details']['max_abs_diff_vs_python']:.1e}",
        "Same label as Python": _round(r["details"]["same_label_as_python"], 3),
    } for r in found])


def diffusion_table(records: list[dict]):
    """Each sampler and guidance scale of the digit diffusion model: UNet calls and time per image, and the share of
    the generated digits the judge reads as the class asked for, beside chance and the judge's accuracy on real digits."""
    import pandas as pd

    found = _of(records, "diffusion")
    if not found:
        return None
    return pd.DataFrame([{
        "Sampler": r["details"]["sampler"], "Steps": r["details"]["sampling_steps"],
        "Guidance": r["details"]["guidance_scale"], "UNet calls per image": r["details"]["unet_calls_per_image"],
        "ms per image": _round((r["infer_time_per_example_s"] or 0) * 1e3, 1),
        "Class accuracy (chance)": f"{r['metric_value']:.2f} ({r['baseline_value']:.2f})",
        "Judge on real digits": _round(r["details"]["judge_accuracy"], 3),
        "Lowest class": f"{min(r['details']['per_class']):.1f}",
    } for r in sorted(found, key=lambda r: (r["details"]["sampler"], r["details"]["sampling_steps"],
                                            r["details"]["guidance_scale"]))])


#: The report's topic blocks: marker name -> (table builder, figures shown under it, notebook to run).
TOPICS: dict[str, tuple[Callable, list[str], str]] = {
    "pipelines": (pipelines_table, ["pipeline_throughput_by_batch_size"], "01_pipelines"),
    "generation": (generation_table, [], "01_pipelines"),
    "tokenizers": (tokenizers_table, [], "02_tokenizers"),
    "datasets": (datasets_table, [], "04_datasets"),
    "evaluation": (evaluation_table, ["spam_confusion_matrices"], "05_evaluate"),
    "trainer": (training_table, ["trainer_learning_curve"], "06_trainer"),
    "peft": (peft_table, ["peft_accuracy_vs_trainable_parameters"], "07_peft"),
    "accelerate": (accelerate_table, [], "08_accelerate"),
    "inference": (inference_table, ["inference_latency_accuracy"], "09_inference.ipynb and 10_compression"),
    "vision": (vision_table, ["vision_learning_curves", "vision_confusion_matrices"], "11_vision"),
    "serving": (serving_table, ["serving_latency_throughput"], "12_serving"),
    "frameworks": (frameworks_table, ["frameworks_time_accuracy"], "13_frameworks"),
    "diffusion": (diffusion_table, ["diffusion_loss", "diffusion_samples"], "14_diffusion"),
    "preference": (preference_table, ["preference_training_curves"], "15_preference"),
    "browser": (browser_table, ["browser_speed_download"], "16_browser"),
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
    machines: dict[str, list[str]] = {}  # each machine, with the notebooks measured on it
    for r in records:
        hw = r["provenance"]["hardware"]
        machine = f"{hw['cpu']}, {hw['cores']} cores, {hw['memory_gb']} GB memory, GPU: {hw['gpu'] or 'none'}"
        notebooks = machines.setdefault(machine, [])
        if Path(r["notebook"]).stem[:2] not in notebooks:
            notebooks.append(Path(r["notebook"]).stem[:2])
    versions = records[-1]["provenance"]["versions"]
    hardware = "; ".join(f"{m}" + (f" (notebooks {', '.join(n)})" if len(machines) > 1 else "")
                         for m, n in machines.items())
    lines = [
        f"- Mode: {', '.join(modes)}",
        f"- Hardware: {hardware}",
        f"- Git commit(s): {', '.join(c[:12] + ('-dirty' if c.endswith('-dirty') else '') for c in commits)}",
        f"- Measured between {dates[0]} and {dates[-1]} ({len(records)} records)",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- Reproduce: `make course` (offline mode, the default) from a clone of the repository writes your run to "
        "`my-report/`, beside this one; `COURSE_MODE=hub make course` for the Hub's checkpoints.",
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
    """The report text with every generated block (main table, topics, provenance) rebuilt from ``records``.

    Only records made with their notebook's default parameters enter these tables.
    """
    records = [r for r in records if is_reference(r)]
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
    records = load_records(path.parent / "results") if records is None else records
    if path.exists():
        text = path.read_text()
    else:
        text = TRACKED_REPORT.read_text() if TRACKED_REPORT.exists() else report_template()
    _write_if_changed(path, render_report(text, records, figures=path.parent / "figures"))
    return path


# --- your run beside the reference ----------------------------------------------------------


def reference_records() -> list[dict]:
    """The records of the course's reference run (the tracked ``report/results``); [] if there are none."""
    from utils.paths import REFERENCE_DIR

    folder = REFERENCE_DIR / "results"
    try:
        return load_records(folder) if folder.is_dir() else []
    except CourseError as error:  # a reference run of an older course: nothing to compare with
        print(f"The reference run in {folder} cannot be read ({error}); your report compares with nothing "
              "until a maintainer refreshes it with `make report`.")
        return []


def _key(record: dict) -> str:
    from utils.records import record_path

    return record_path(record, Path(".")).name


def _pair(mine, reference, digits: int, ratio: bool) -> str:
    if mine is None:
        return "–"
    text = f"{mine:,.{digits}f}"
    if reference is None:
        return text
    if ratio:
        return text + (f" ({reference:,.{digits}f}, x{mine / reference:.2f})" if reference else f" ({reference:,.{digits}f})")
    return text + f" ({reference:,.{digits}f}, {100 * (mine - reference):+.1f} pts)"


def comparison_table(mine: list[dict], reference: list[dict]):
    """Your records beside the reference run's, row by row: times with their ratio, metrics with their difference."""
    import pandas as pd

    by_key = {_key(r): r for r in reference}
    rows = []
    for r in mine:
        ref = by_key.get(_key(r))
        def get(field, rec=ref):
            return rec[field] if rec else None

        same_metric = ref is not None and ref["metric_name"] == r["metric_name"]
        rows.append({
            "Experiment": label(r),
            "Training time (s)": _pair(r["train_time_s"], get("train_time_s"), 1, True),
            "Inference (ms/example)": _pair(None if r["infer_time_per_example_s"] is None else r["infer_time_per_example_s"] * 1e3,
                                            None if get("infer_time_per_example_s") is None else get("infer_time_per_example_s") * 1e3, 2, True),
            "Memory (MB)": _pair(r["peak_memory_mb"], get("peak_memory_mb"), 0, True),
            "Metric": "–" if r["metric_name"] is None else f"{r['metric_name']} "
                      + _pair(r["metric_value"], get("metric_value") if same_metric else None, 3, False),
            "In the reference run": "yes" if ref else "no",
        })
    return pd.DataFrame(rows)


def _hardware(records: list[dict]) -> str:
    if not records:
        return "–"
    hw = records[-1]["provenance"]["hardware"]
    return f"{hw['cpu']}, {hw['cores']} cores, GPU {hw['gpu'] or 'none'} ({records[-1]['provenance']['mode']} mode)"


def learner_report(mine: list[dict], reference: list[dict]) -> str:
    """The Markdown of your report: your numbers beside the reference run's, and how to read them."""
    changed = [r for r in mine if not is_reference(r)]
    lines = [
        "# Your run, beside the course's reference run", "",
        "Each cell shows your number, then in brackets the reference run's (`report/` in the repository) and the "
        "ratio (times, memory) or the difference in points (metrics). How to read it: a different CPU changes times "
        "and memory, so a ratio far from 1 is expected on another machine; with the same parameters, a different "
        "metric means something else changed (library versions, data, code), so look there first. Rows marked † "
        "ran with other parameters than the notebook's defaults: compare them with care.", "",
        f"- Your hardware: {_hardware(mine)}",
        f"- Reference hardware: {_hardware(reference)}", "",
        "## Every experiment", "",
        to_markdown(comparison_table(mine, reference)) if mine else NO_RESULTS, "",
    ]
    if changed:
        lines += ["† Parameters changed from the notebook's defaults:", ""]
        lines += [f"- {label(r)}: " + ", ".join(f"{k} = {v['value']!r} (default {v['default']!r})"
                                                 for k, v in r["changed_parameters"].items()) for r in changed]
        lines.append("")
    for name, (build, _, _notebook) in TOPICS.items():
        table = build(mine) if mine else None
        if table is not None:
            lines += [f"## {name.capitalize()} (yours)", "", to_markdown(table), ""]
    lines += ["## Provenance of your run", "", provenance_block(mine), ""]
    return "\n".join(lines)


def write_learner_report(folder: Path | None = None, records: list[dict] | None = None) -> Path:
    """Write ``REPORT.md`` into your report folder (default ``my-report/``): your run beside the reference."""
    folder = Path(folder) if folder else report_dir()
    mine = load_records(folder / "results") if records is None else records
    path = folder / "REPORT.md"
    _write_if_changed(path, learner_report(mine, reference_records()))
    return path
