import re

import nbformat
import pytest

from utils import CourseError
from utils.paths import REPO_ROOT, course_notebooks
from utils.records import load_records, make_record, save_record
from utils.report import (
    MAIN_COLUMNS,
    TOPICS,
    comparison_table,
    evaluation_table,
    learner_report,
    main_table,
    percent,
    pipelines_table,
    render_report,
    replace_between_markers,
    report_template,
    topic_block,
    update_report,
    write_learner_report,
)
from utils.report_tables import confidence_interval

REPORT = REPO_ROOT / "report" / "REPORT.md"
DOC = report_template().replace("## Results", "Prose written by a person.\n\n## Results").replace(
    "<!-- BEGIN GENERATED: main-table -->\n", "<!-- BEGIN GENERATED: main-table -->\nold table\n") + "\nMore prose.\n"


def _record(**overrides):
    fields = dict(experiment="toy", notebook="00_setup.ipynb", topic="evaluation", model_id="toy-model", task="t",
                  dataset="d", params_total=22_700_000, params_trainable=22_700_000, infer_time_per_example_s=0.0123,
                  flops_per_example=1.36e9, tokens_per_example=64.0, peak_memory_mb=12.0, metric_name="accuracy",
                  metric_value=0.91, baseline_value=0.58, eval_examples=1000, details={"confidence_interval_95": None})
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
    table = main_table([make_record("toy", "00_setup.ipynb", "loading", "m", "t", None, params_total=2_000_000,
                                    params_trainable=500_000, infer_time_per_example_s=0.002, details={"load_s": 1.0})])
    assert list(table.columns) == MAIN_COLUMNS
    row = table.iloc[0]
    assert row["Inference time (ms/example)"] == "2.00"
    assert row["Parameters (M, trainable %)"] == "2.00 (25%)"
    assert row["Training time (s)"] == "–" and row["Dataset"] == "–"


def test_rows_without_a_model_and_small_shares_keep_their_precision():
    no_model = make_record("map", "04_datasets.ipynb", "loading", None, "tokenization", None, details={"load_s": 1.0})
    row = main_table([no_model]).iloc[0]
    assert row["Model"] == "–" and row["Parameters (M, trainable %)"] == "–"
    assert [percent(x) for x in (1.0, 0.0049, 0.00027, 0.5)] == ["100%", "0.49%", "0.027%", "50%"]


def test_the_metric_stands_beside_its_baseline():
    assert main_table([_record()]).iloc[0]["Metric (majority baseline)"] == "accuracy 0.910 (0.580)"
    row = evaluation_table([_record(metric_value=0.6, eval_examples=100)]).iloc[0]
    assert row["Majority baseline"] == 0.58 and row["Above the baseline"] == "no: chance level"
    assert evaluation_table([_record()]).iloc[0]["Above the baseline"] == "yes"


def test_records_with_other_parameters_never_enter_the_reference_tables():
    changed = _record(experiment="small run")
    changed["changed_parameters"] = {"train_size": {"value": 320, "default": 4000}}
    text = render_report(DOC, [_record(), changed])
    assert "toy (00_setup)" in text and "small run" not in text
    assert "small run (00_setup) †" in main_table([changed]).iloc[0]["Experiment"]


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
    assert "run 07_peft.ipynb" in topic_block("peft", [], tmp_path)
    with pytest.raises(CourseError, match="Unknown report topic 'nope'"):
        topic_block("nope", [])


def test_topic_block_shows_only_figures_that_exist(tmp_path):
    assert "figures/" not in topic_block("trainer", [], tmp_path)
    (tmp_path / "trainer_learning_curve.png").write_bytes(b"png")
    assert "](figures/trainer_learning_curve.png)" in topic_block("trainer", [], tmp_path)


def test_pipelines_table_reads_throughput_by_batch_size():
    record = _record(notebook="01_pipelines.ipynb", topic="pipelines", details={
        "batch_sizes": [1, 8], "throughput_by_batch_size": [100.0, 150.0], "throughput_by_batch_size_sorted": [101.0, 190.0],
        "pad_share_by_batch_size": [0.0, 0.3]})
    table = pipelines_table([record])
    assert table["Batch size"].tolist() == [1, 8]
    assert table["Examples/s (sorted by length)"].tolist() == [101.0, 190.0]


def test_confidence_intervals_bootstrap_then_wilson():
    assert confidence_interval(_record(details={"confidence_interval_95": [0.8, 0.9]})) == (0.8, 0.9, "bootstrap")
    low, high, kind = confidence_interval(_record(metric_value=0.8))
    assert kind == "Wilson" and low < 0.8 < high and high - low == pytest.approx(0.0496, abs=1e-3)
    assert confidence_interval(_record(metric_name="f1")) is None
    table = evaluation_table([_record(metric_name="f1"), _record(metric_value=None, metric_name=None, baseline_value=None)])
    assert len(table) == 1 and table.iloc[0]["95% interval"] == "–"


def test_your_run_beside_the_reference():
    mine = [_record(train_time_s=20.0, metric_value=0.90), _record(experiment="only mine")]
    reference = [_record(train_time_s=10.0, metric_value=0.92)]
    table = comparison_table(mine, reference)
    assert table.iloc[0]["Training time (s)"] == "20.0 (10.0, x2.00)"
    assert table.iloc[0]["Metric"] == "accuracy 0.900 (0.920, -2.0 pts)"
    assert table.iloc[1]["In the reference run"] == "no"
    changed = _record(experiment="small run")
    changed["changed_parameters"] = {"train_size": {"value": 320, "default": 4000}}
    text = learner_report(mine + [changed], reference)
    assert "How to read it" in text and "Reference hardware" in text
    assert "small run (00_setup) †: train_size = 320 (default 4000)" in text


def test_the_learner_report_is_written_in_the_learner_folder(report_dir):
    save_record(_record())
    path = write_learner_report()
    assert path == report_dir / "REPORT.md" and "beside the course's reference run" in path.read_text()


# --- the committed report, produced by a real `make course` ------------------------------

def _committed_records():
    records = load_records(REPO_ROOT / "report" / "results")
    assert records, "report/results holds no records: run `make course` and commit report/"
    return records


def test_committed_report_regenerates_to_the_same_file():
    text = REPORT.read_text()
    assert render_report(text, _committed_records(), figures=REPO_ROOT / "report" / "figures") == text


def test_committed_report_comes_from_an_offline_run_with_the_default_parameters():
    records = _committed_records()
    assert {r["provenance"]["mode"] for r in records} == {"offline"}
    assert all(not r["changed_parameters"] for r in records), "the reference run must use the notebooks' defaults"
    assert "make report" in REPORT.read_text()


def test_every_recording_notebook_appears_in_the_report():
    text = REPORT.read_text()
    recorded = {r["notebook"] for r in _committed_records()}
    for path in course_notebooks():
        if any("save_result(" in c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"):
            assert path.name in recorded, f"no committed record of {path.name}: run `make course`"
    for record in _committed_records():
        assert f"{record['experiment']} ({record['notebook'].removesuffix('.ipynb')})" in text


def test_every_figure_referenced_exists():
    references = re.findall(r"\]\((figures/[^)]+)\)", REPORT.read_text())
    assert references, "the report shows no figure"
    for reference in references:
        assert (REPORT.parent / reference).exists(), f"report/REPORT.md shows {reference}, which does not exist"


def test_every_topic_has_a_block_in_the_report():
    text = REPORT.read_text()
    for name in TOPICS:
        assert f"<!-- BEGIN GENERATED: {name} -->" in text


@pytest.mark.assets
def test_encoder_flops_per_token_agree_with_twice_the_non_embedding_parameters():
    """Each committed record of the MiniLM encoder (with or without a head) that counts FLOPs:
    its FLOPs per token lie within [0.85, 1.25] of 2 x its non-embedding parameters. The band:
    attention adds about 4 x tokens x width FLOPs per layer per token (at most 64 tokens here:
    +6%); the pooler and the head run once per example, not per token (-1 to -3%); LayerNorm,
    softmax and GELU are not matrix products, which is all flop_counter counts. A unit slip
    (per batch, per token, a factor of 32) lands far outside."""
    import json

    from utils import catalog

    config = json.loads((catalog.get("encoder").folder / "config.json").read_text())
    embedding = (config["vocab_size"] + config["max_position_embeddings"] + config["type_vocab_size"] + 2) * config["hidden_size"]
    checked = 0
    for record in _committed_records():
        if record["flops_per_example"] is None or not (22_700_000 <= (record["params_total"] or 0) <= 22_720_000):
            continue
        ratio = record["flops_per_example"] / record["tokens_per_example"] / (2 * (record["params_total"] - embedding))
        assert 0.85 <= ratio <= 1.25, f"{record['experiment']}: FLOPs per token are {ratio:.2f}x 2 x non-embedding parameters"
        checked += 1
    assert checked >= 5, "too few encoder records count FLOPs"
