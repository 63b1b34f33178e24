"""Generate the report's tables from the records, between markers, leaving prose untouched.

A generated block in a Markdown file looks like::

    <!-- BEGIN GENERATED: main-table -->
    ... replaced on every regeneration ...
    <!-- END GENERATED: main-table -->

Everything outside the markers is written by people and never changed.
"""

from __future__ import annotations

import re
from pathlib import Path

from utils.errors import CourseError
from utils.paths import report_dir
from utils.records import load_records

#: The main table's columns, in order (units in the headers).
MAIN_COLUMNS = [
    "Experiment", "Dataset", "Model", "Training time (s)", "Inference time (ms/example)",
    "FLOPs (GFLOP/example)", "Parameters (M, trainable %)", "Memory (MB, peak added)", "Metric",
]

REPORT_TEMPLATE = """# Learning report

What the course measured on its own runs. The tables between the GENERATED markers are
rewritten from `report/results/*.json` by `make course`; the prose around them is ours.

## Results

<!-- BEGIN GENERATED: main-table -->
<!-- END GENERATED: main-table -->

## Provenance

<!-- BEGIN GENERATED: provenance -->
<!-- END GENERATED: provenance -->
"""


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
    """A DataFrame as a GitHub Markdown table (no index)."""
    return frame.to_markdown(index=False)


def provenance_block(records: list[dict]) -> str:
    """Markdown describing where the records were measured (modes, hardware, versions, commits, dates)."""
    if not records:
        return "No results recorded yet: run `make course`."
    modes = sorted({r["provenance"]["mode"] for r in records})
    commits = sorted({r["provenance"]["git_commit"] for r in records})
    dates = sorted(r["provenance"]["date"] for r in records)
    hw = records[-1]["provenance"]["hardware"]
    versions = records[-1]["provenance"]["versions"]
    lines = [
        f"- Mode: {', '.join(modes)}",
        f"- Hardware: {hw['cpu']}, {hw['cores']} cores, {hw['memory_gb']} GB memory, GPU: {hw['gpu'] or 'none'}",
        f"- Git commit(s): {', '.join(c[:12] + ('-dirty' if c.endswith('-dirty') else '') for c in commits)}",
        f"- Measured between {dates[0]} and {dates[-1]}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- Reproduce: `make course` (offline mode, the default) from a clone of the repository.",
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


def render_report(text: str, records: list[dict]) -> str:
    """The report text with every generated block rebuilt from ``records``."""
    table = to_markdown(main_table(records)) if records else "No results recorded yet: run `make course`."
    text = replace_between_markers(text, "main-table", table)
    return replace_between_markers(text, "provenance", provenance_block(records))


def update_report(path: Path | None = None, records: list[dict] | None = None) -> Path:
    """Regenerate the report's tables in place (creating it from a template if missing)."""
    path = Path(path) if path else report_dir() / "REPORT.md"
    records = load_records() if records is None else records
    text = path.read_text() if path.exists() else REPORT_TEMPLATE
    new = render_report(text, records)
    path.parent.mkdir(parents=True, exist_ok=True)
    if new != text or not path.exists():
        tmp = path.with_name(f".tmp-{path.name}")
        tmp.write_text(new)
        tmp.replace(path)
    return path
