import pytest

from utils import CourseError
from utils.records import make_record, save_record
from utils.report import MAIN_COLUMNS, main_table, replace_between_markers, update_report

DOC = """# Title

Prose written by a person.

<!-- BEGIN GENERATED: main-table -->
old table
<!-- END GENERATED: main-table -->

More prose.

<!-- BEGIN GENERATED: provenance -->
<!-- END GENERATED: provenance -->
"""


def _save(**overrides):
    fields = dict(experiment="toy", notebook="00_setup.ipynb", model_id="toy-model", task="t", dataset="d",
                  params_total=22_700_000, params_trainable=22_700_000, infer_time_per_example_s=0.0123,
                  flops_per_example=1.36e9, peak_memory_mb=12.0, metric_name="accuracy", metric_value=0.91)
    fields.update(overrides)
    return save_record(make_record(**fields))


def test_replace_keeps_prose():
    new = replace_between_markers(DOC, "main-table", "| a |\n|---|")
    assert "Prose written by a person." in new and "More prose." in new
    assert "old table" not in new and "| a |" in new


def test_missing_markers_are_reported():
    with pytest.raises(CourseError, match="exactly one pair of markers .* 'results-at-a-glance'"):
        replace_between_markers(DOC, "results-at-a-glance", "x")


def test_main_table_columns_and_units():
    table = main_table([make_record("toy", "00_setup.ipynb", "m", "t", None, params_total=2_000_000,
                                    params_trainable=500_000, infer_time_per_example_s=0.002)])
    assert list(table.columns) == MAIN_COLUMNS
    row = table.iloc[0]
    assert row["Inference time (ms/example)"] == "2.00"
    assert row["Parameters (M, trainable %)"] == "2.00 (25.0%)"
    assert row["Training time (s)"] == "–" and row["Dataset"] == "–"


def test_update_report_is_idempotent_and_keeps_prose(report_dir):
    report_dir.mkdir(parents=True)
    path = report_dir / "REPORT.md"
    path.write_text(DOC)
    _save()
    update_report()
    first = path.read_text()
    assert "toy (00_setup)" in first and "accuracy 0.910" in first and "Prose written by a person." in first
    assert "- Mode: offline" in first or "- Mode: hub" in first
    update_report()
    assert path.read_text() == first


def test_update_report_creates_a_report_when_missing(report_dir):
    path = update_report(records=[])
    assert path == report_dir / "REPORT.md"
    assert "No results recorded yet" in path.read_text()
