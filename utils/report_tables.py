"""The report's main table and evaluation table, built from the records with pandas.

Notebook 17 builds them; `utils.report` writes them, with the other topics' tables, into the reports.

Generated from notebooks/17_report.ipynb by `python -m course_build.export`: edit the notebook's #@save cells, not this file.
"""

from __future__ import annotations

import pandas as pd

from utils.records import FIELDS


def records_frame(records):
    """The records as a DataFrame: one row per record, one column per field, and the label tables show."""
    frame = pd.DataFrame(records, columns=list(FIELDS))
    frame = frame.astype({name: "str" for name in ("experiment", "notebook", "dataset", "model_id", "metric_name")})
    notebook = frame["notebook"].str.removesuffix(".ipynb")
    dagger = frame["changed_parameters"].map(lambda changed: " †" if changed else "")
    return frame.assign(label=frame["experiment"] + " (" + notebook + ")" + dagger)


def fmt(value, scale=1.0, digits=2):
    """A number as text with thousands separators and ``digits`` decimals; a dash where there is none."""
    return "–" if value is None or pd.isna(value) else f"{value * scale:,.{digits}f}"


def percent(share):
    """A share as a percentage with the precision that tells small ones apart (100%, 0.49%, 0.027%)."""
    value = 100 * share
    if value == 0 or value == 100 or value >= 10:
        return f"{value:.0f}%" if value == round(value) else f"{value:.1f}%"
    return f"{value:.2g}%" if value >= 0.001 else f"{value:.1e}%"


def metric_text(frame):
    """Each record's metric with, in brackets, its majority-class baseline on the same examples."""
    baseline = (" (" + frame["baseline_value"].map(lambda v: fmt(v, digits=3)) + ")").where(frame["baseline_value"].notna(), "")
    text = frame["metric_name"] + " " + frame["metric_value"].map(lambda v: fmt(v, digits=3)) + baseline
    return text.where(frame["metric_name"].notna(), "–")


def main_table(records):
    """The main comparison table: one row per record, the same columns for all, units in the headers."""
    frame = records_frame(records)
    total = frame["params_total"]
    share = (frame["params_trainable"] / total.where(total != 0)).fillna(0.0)
    parameters = (total.map(lambda v: fmt(v, 1e-6)) + " (" + share.map(percent) + ")").where(total.notna(), "–")
    return pd.DataFrame({
        "Experiment": frame["label"], "Dataset": frame["dataset"].fillna("–"), "Model": frame["model_id"].fillna("–"),
        "Training time (s)": frame["train_time_s"].map(lambda v: fmt(v, digits=1)),
        "Inference time (ms/example)": frame["infer_time_per_example_s"].map(lambda v: fmt(v, 1e3)),
        "FLOPs (GFLOP/example)": frame["flops_per_example"].map(lambda v: fmt(v, 1e-9)),
        "Parameters (M, trainable %)": parameters,
        "Memory (MB, peak added)": frame["peak_memory_mb"].map(lambda v: fmt(v, digits=0)),
        "Metric (majority baseline)": metric_text(frame),
    })


def confidence_interval(record):
    """The 95% interval of a record's metric: its own bootstrap interval when it has one, else a Wilson
    interval for a share measured on ``eval_examples`` examples; None for other metrics."""
    interval = record["details"].get("confidence_interval_95")
    if interval:
        return float(interval[0]), float(interval[1]), "bootstrap"
    n, value = record["eval_examples"], record["metric_value"]
    if record["metric_name"] in ("accuracy", "answer accuracy", "format compliance") and n and value is not None:
        from scipy.stats import binomtest

        ci = binomtest(round(value * n), n).proportion_ci(confidence_level=0.95, method="wilson")
        return ci.low, ci.high, "Wilson"
    return None


def evaluation_table(records):
    """Every model's metric with its majority-class baseline and a 95% interval where the record allows one."""
    scored = [r for r in records if r["metric_value"] is not None]
    if not scored:
        return None
    frame = records_frame(scored)
    ci = pd.DataFrame([confidence_interval(r) or (None, None, None) for r in scored], columns=["low", "high", "kind"])
    ci = ci.astype({"low": float, "high": float, "kind": "str"})
    known = ci["low"].notna()
    interval = "[" + ci["low"].map(lambda v: fmt(v, digits=3)) + ", " + ci["high"].map(lambda v: fmt(v, digits=3)) + "]"
    above = (ci["low"] > frame["baseline_value"]).map({True: "yes", False: "no: chance level"})
    return pd.DataFrame({
        "Experiment": frame["label"], "Dataset": frame["dataset"].fillna("–"), "Metric": frame["metric_name"],
        "Value": frame["metric_value"].round(4), "Majority baseline": frame["baseline_value"].round(4),
        "95% interval": (interval + " (" + ci["kind"] + ")").where(known, "–"),
        "Above the baseline": above.where(known & frame["baseline_value"].notna(), "–"),
    })
