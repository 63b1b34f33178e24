import json

import pytest

from utils import CourseError
from utils.records import (
    FIELDS,
    SCHEMA_VERSION,
    load_records,
    make_record,
    save_record,
    validate_record,
)


def _record(**overrides):
    fields = dict(experiment="toy run", notebook="00_setup.ipynb", topic="loading", model_id="toy",
                  task="classification", dataset="toy data", params_total=1000, params_trainable=10, train_time_s=1.5,
                  metric_name="accuracy", metric_value=0.9, baseline_value=0.6, eval_examples=100,
                  details={"load_s": 0.1})
    fields.update(overrides)
    return make_record(**fields)


def test_make_record_attaches_provenance():
    record = _record()
    assert record["schema_version"] == SCHEMA_VERSION
    prov = record["provenance"]
    assert prov["mode"] in ("offline", "hub")
    assert prov["hardware"]["cores"] >= 1
    assert prov["versions"]["torch"].startswith("2.13.0")
    assert prov["git_commit"] and prov["date"].startswith("20")


@pytest.mark.parametrize("field", list(FIELDS))
def test_a_missing_field_is_refused_by_name(field):
    record = _record()
    del record[field]
    with pytest.raises(CourseError, match=f"required field '{field}' is missing"):
        validate_record(record)


@pytest.mark.parametrize("field, value", [
    ("params_total", "22M"), ("metric_value", "high"), ("experiment", None), ("train_time_s", True),
    ("provenance", "here"),
])
def test_a_wrong_type_is_refused_by_name(field, value):
    record = _record()
    record[field] = value
    with pytest.raises(CourseError, match=f"field '{field}' must be"):
        validate_record(record)


def test_unknown_schema_version_is_refused():
    record = _record()
    record["schema_version"] = 99
    with pytest.raises(CourseError, match="unknown schema_version 99"):
        validate_record(record)


def test_missing_provenance_field_is_refused():
    record = _record()
    del record["provenance"]["git_commit"]
    with pytest.raises(CourseError, match="provenance field 'git_commit' is missing"):
        validate_record(record)


def test_save_and_load_round_trip(report_dir):
    path = save_record(_record())
    assert path.parent == report_dir / "results" and path.name == "00_setup--toy-run.json"
    assert not list(path.parent.glob(".tmp-*"))
    (loaded,) = load_records()
    assert loaded == json.loads(path.read_text())


def test_a_second_save_replaces_the_first(report_dir):
    save_record(_record(metric_value=0.5))
    save_record(_record(metric_value=0.7))
    (loaded,) = load_records()
    assert loaded["metric_value"] == 0.7


def test_load_names_the_bad_file_and_field(report_dir):
    path = save_record(_record())
    data = json.loads(path.read_text())
    del data["metric_name"]
    path.write_text(json.dumps(data))
    with pytest.raises(CourseError, match=rf"{path.name}: the required field 'metric_name' is missing"):
        load_records()
    path.write_text("{not json")
    with pytest.raises(CourseError, match=rf"{path.name}: not valid JSON"):
        load_records()


def test_save_refuses_an_invalid_record(report_dir):
    with pytest.raises(CourseError, match="required field"):
        save_record({"experiment": "x"})
    assert not (report_dir / "results").exists() or not list((report_dir / "results").iterdir())


def test_a_score_needs_its_baseline_and_example_count():
    with pytest.raises(CourseError, match="needs 'baseline_value'"):
        _record(baseline_value=None)
    with pytest.raises(CourseError, match="needs 'eval_examples'"):
        _record(eval_examples=None)
    _record(metric_name=None, metric_value=None, baseline_value=None, eval_examples=None)


def test_a_topic_needs_its_details():
    with pytest.raises(CourseError, match="the loading detail 'load_s' is missing"):
        _record(details={})
    with pytest.raises(CourseError, match="details.load_s' must be"):
        _record(details={"load_s": "fast"})
    with pytest.raises(CourseError, match="unknown topic 'gossip'"):
        _record(topic="gossip")


def test_flops_need_the_tokens_they_were_counted_on():
    with pytest.raises(CourseError, match="tokens_per_example"):
        _record(flops_per_example=1e9)
    assert _record(flops_per_example=1e9, tokens_per_example=20.0)["tokens_per_example"] == 20.0


def test_a_record_carries_its_parameters_and_whether_they_are_the_defaults(monkeypatch):
    from utils import params

    monkeypatch.setattr(params, "defaults", lambda notebook: {"repeats": 3})
    monkeypatch.setattr(params, "_namespace", lambda: {"repeats": 5})
    record = _record()
    assert record["parameters"] == {"repeats": 5}
    assert record["changed_parameters"] == {"repeats": {"value": 5, "default": 3}}
    from utils.records import is_reference

    assert not is_reference(record)


def test_the_fields_are_declared_once_and_the_reference_records_have_them_in_order():
    import json

    from utils.paths import REFERENCE_DIR
    from utils.records import FIELDS, MEASURED, Record

    assert list(FIELDS) == [f for f in Record.__dataclass_fields__]
    assert set(MEASURED) < set(FIELDS)
    for path in sorted((REFERENCE_DIR / "results").glob("*.json")):
        assert list(json.loads(path.read_text())) == list(FIELDS), f"{path.name}: its keys differ from Record's"


def test_an_unknown_measurement_is_refused_with_the_fields_to_use():
    from utils.records import make_record

    with pytest.raises(CourseError, match="'train_seconds' is not a field of a record: use one of params_total"):
        make_record("x", "00_setup.ipynb", "loading", None, "t", None, train_seconds=1.0)


def test_find_record_prefers_yours_in_this_mode_and_falls_back_to_the_reference(tmp_path, monkeypatch, capsys):
    from utils import CourseError, paths
    from utils.records import find_record, make_record, save_record

    monkeypatch.setenv("COURSE_REPORT_DIR", str(tmp_path / "mine"))
    monkeypatch.setattr(paths, "REFERENCE_DIR", tmp_path / "reference")
    fields = dict(params_total=10, params_trainable=10, metric_name="accuracy", metric_value=0.8,
                  baseline_value=0.5, eval_examples=100, train_time_s=1.0,
                  details={"steps": 10, "s_per_step": 0.1, "checkpoint_mb": None})
    reference = make_record("run", "06_trainer.ipynb", "training", "m", "text-classification", "d", **fields)
    save_record(reference, tmp_path / "reference" / "results")
    assert find_record("run", "06_trainer.ipynb", mode="offline")["metric_value"] == 0.8
    assert "reference run's record" in capsys.readouterr().out
    mine = make_record("run", "06_trainer.ipynb", "training", "m", "text-classification", "d",
                       **{**fields, "metric_value": 0.7})
    save_record(mine)
    assert find_record("run", "06_trainer.ipynb", mode="offline")["metric_value"] == 0.7
    assert "your record" in capsys.readouterr().out
    assert find_record("run", "06_trainer.ipynb", mode="hub")["metric_value"] == 0.8  # yours was offline
    with pytest.raises(CourseError, match="run 07_peft.ipynb first"):
        find_record("run", "07_peft.ipynb", mode="offline")
