import re

import nbformat
import pytest

from utils import CourseError
from utils.paths import REPO_ROOT
from utils.records import load_records, make_record, save_record
from utils.report import (
    MAIN_COLUMNS,
    TOPICS,
    confidence_interval,
    evaluation_table,
    main_table,
    pipelines_table,
    render_report,
    replace_between_markers,
    report_template,
    topic_block,
    update_readme,
    update_report,
)

REPORT = REPO_ROOT / "report" / "REPORT.md"
DOC = report_template().replace("## Results", "Prose written by a person.\n\n## Results").replace(
    "<!-- BEGIN GENERATED: main-table -->\n", "<!-- BEGIN GENERATED: main-table -->\nold table\n") + "\nMore prose.\n"


def _record(**overrides):
    fields = dict(experiment="toy", notebook="00_setup.ipynb", model_id="toy-model", task="t", dataset="d",
                  params_total=22_700_000, params_trainable=22_700_000, infer_time_per_example_s=0.0123,
                  flops_per_example=1.36e9, peak_memory_mb=12.0, metric_name="accuracy", metric_value=0.91)
    fields.update(overrides)
    return make_record(**fields)


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
    save_record(_record())
    update_report()
    first = path.read_text()
    assert "toy (00_setup)" in first and "accuracy 0.910" in first and "Prose written by a person." in first
    assert "- Mode: offline" in first or "- Mode: hub" in first
    update_report()
    assert path.read_text() == first


def test_a_new_report_folder_starts_from_the_tracked_prose(report_dir):
    path = update_report(records=[])
    assert path == report_dir / "REPORT.md"
    text = path.read_text()
    assert "No results recorded yet" in text
    assert text.split("<!-- BEGIN GENERATED: main-table -->")[0] == REPORT.read_text().split(
        "<!-- BEGIN GENERATED: main-table -->")[0]


def test_a_report_without_a_topic_marker_is_refused():
    text = DOC.replace("<!-- BEGIN GENERATED: peft -->", "")
    with pytest.raises(CourseError, match="'peft' block"):
        render_report(text, [_record()])


def test_topic_block_says_which_notebook_to_run(tmp_path):
    assert "run 06_peft.ipynb" in topic_block("peft", [], tmp_path)
    with pytest.raises(CourseError, match="Unknown report topic 'nope'"):
        topic_block("nope", [])


def test_topic_block_shows_only_figures_that_exist(tmp_path):
    assert "figures/" not in topic_block("trainer", [], tmp_path)
    (tmp_path / "trainer_learning_curve.png").write_bytes(b"png")
    assert "](figures/trainer_learning_curve.png)" in topic_block("trainer", [], tmp_path)


def test_pipelines_table_reads_throughput_by_batch_size():
    record = _record(notebook="01_pipelines.ipynb", details={
        "throughput_by_batch_size": {"1": 100.0, "8": 150.0}, "throughput_by_batch_size_sorted": {"1": 101.0, "8": 190.0},
        "pad_share_by_batch_size": {"1": 0.0, "8": 0.3}})
    table = pipelines_table([record])
    assert table["Batch size"].tolist() == [1, 8]
    assert table["Examples/s (sorted by length)"].tolist() == [101.0, 190.0]


def test_confidence_intervals_bootstrap_then_wilson():
    assert confidence_interval(_record(details={"confidence_interval_95": [0.8, 0.9]})) == (0.8, 0.9, "bootstrap")
    low, high, kind = confidence_interval(_record(metric_value=0.8, details={"eval_examples": 1000}))
    assert kind == "Wilson" and low < 0.8 < high and high - low == pytest.approx(0.0496, abs=1e-3)
    assert confidence_interval(_record(metric_name="f1")) is None
    table = evaluation_table([_record(), _record(metric_value=None, metric_name=None)])
    assert len(table) == 1 and table.iloc[0]["95% interval"] == "–"


# --- the committed report, produced by a real `make course` ------------------------------

def _committed_records():
    records = load_records(REPO_ROOT / "report" / "results")
    assert records, "report/results holds no records: run `make course` and commit report/"
    return records


def test_committed_report_regenerates_to_the_same_file():
    text = REPORT.read_text()
    assert render_report(text, _committed_records(), figures=REPO_ROOT / "report" / "figures") == text


def test_committed_report_comes_from_an_offline_make_course_run():
    records = _committed_records()
    assert {r["provenance"]["mode"] for r in records} == {"offline"}
    assert "make course" in REPORT.read_text()


def test_every_recording_notebook_appears_in_the_report():
    text = REPORT.read_text()
    recorded = {r["notebook"] for r in _committed_records()}
    for path in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        if any("save_record(" in c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"):
            assert path.name in recorded, f"no committed record of {path.name}: run `make course`"
    for record in _committed_records():
        assert f"{record['experiment']} ({record['notebook'].removesuffix('.ipynb')})" in text


@pytest.mark.parametrize("document", ["report/REPORT.md", "README.md"])
def test_every_figure_referenced_exists(document):
    path = REPO_ROOT / document
    references = re.findall(r"\]\(((?:report/)?figures/[^)]+)\)", path.read_text())
    if document == "report/REPORT.md":
        assert references, "the report shows no figure"
    for reference in references:
        assert (path.parent / reference).exists(), f"{document} shows {reference}, which does not exist"


def test_readme_results_at_a_glance_match_the_records(tmp_path):
    copy = tmp_path / "README.md"
    copy.write_text((REPO_ROOT / "README.md").read_text())
    update_readme(copy, _committed_records())
    assert copy.read_text() == (REPO_ROOT / "README.md").read_text()


def test_every_topic_has_a_block_in_the_report():
    text = REPORT.read_text()
    for name in TOPICS:
        assert f"<!-- BEGIN GENERATED: {name} -->" in text
