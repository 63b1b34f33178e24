"""The notebook runner: executed copies, solutions, scheduling, and results replaced only on success."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from utils import course


def _write(path, *sources, metadata=None):
    notebook = new_notebook(cells=[new_markdown_cell("# Toy"), *(new_code_cell(s) for s in sources)])
    notebook.metadata.update(metadata or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def test_run_notebook_writes_an_executed_copy(tmp_path):
    source = _write(tmp_path / "nb" / "00_toy.ipynb", "import os\nprint(os.path.basename(os.getcwd()))")
    before = source.read_text()
    seconds = course.run_notebook(source, tmp_path / "out")
    executed = nbformat.read(tmp_path / "out" / "00_toy.ipynb", as_version=4)
    assert executed.cells[1].outputs[0]["text"].strip() == "nb"  # ran in the notebook's own folder
    assert source.read_text() == before and seconds > 0


def test_a_failing_notebook_still_leaves_its_copy(tmp_path):
    from nbclient.exceptions import CellExecutionError

    source = _write(tmp_path / "01_bad.ipynb", "raise ValueError('boom')")
    with pytest.raises(CellExecutionError):
        course.run_notebook(source, tmp_path / "out")
    assert (tmp_path / "out" / "01_bad.ipynb").exists()


def test_the_kernel_gets_the_environment_it_is_given(tmp_path):
    source = _write(tmp_path / "00_env.ipynb", "import os\nprint(os.environ['COURSE_TOY'], os.environ.get('OMP_NUM_THREADS'))")
    course.run_all([source], tmp_path / "out", jobs=2, env={"COURSE_TOY": "here"})
    executed = nbformat.read(tmp_path / "out" / "00_env.ipynb", as_version=4)
    assert executed.cells[1].outputs[0]["text"].split() == ["here", "1"]  # side by side: one thread each


def test_the_test_scale_gives_each_notebook_its_sizes_and_the_environment_wins(tmp_path, monkeypatch):
    from utils import params

    monkeypatch.setattr(params, "TEST_SIZES", {"00_sizes": {"train_size": 800, "eval_size": 100}})
    monkeypatch.setenv("COURSE_EVAL_SIZE", "50")
    source = _write(tmp_path / "00_sizes.ipynb", "import os\nprint(os.environ.get('COURSE_TRAIN_SIZE'), os.environ['COURSE_EVAL_SIZE'])")
    for scale, expected in [("test", ["800", "50"]), ("full", ["None", "50"])]:
        course.run_all([source], tmp_path / scale, scale=scale, log=lambda line: None)
        executed = nbformat.read(tmp_path / scale / "00_sizes.ipynb", as_version=4)
        assert executed.cells[1].outputs[0]["text"].split() == expected


def test_the_reference_run_refuses_the_test_scale(capsys):
    assert course.main(["--reference", "--scale", "test"]) == 1
    assert "notebooks' defaults" in capsys.readouterr().err


def test_notebooks_wait_for_those_they_need_and_alone_ones_run_alone(tmp_path):
    log = tmp_path / "log.txt"
    step = "import time, pathlib\np = pathlib.Path({log!r})\np.write_text(p.read_text() + '{name} start\\n' if p.exists() else '{name} start\\n')\ntime.sleep(1)\np.write_text(p.read_text() + '{name} end\\n')"
    paths = [_write(tmp_path / f"{name}.ipynb", step.format(log=str(log), name=name), metadata=meta)
             for name, meta in [("00_a", {}), ("01_b", {"course": {"needs": ["00_a"]}}),
                                ("02_c", {"course": {"alone": True}}), ("03_d", {"course": {"needs": ["*"]}})]]
    course.run_all(paths, tmp_path / "out", jobs=2, log=lambda line: None)
    events = log.read_text().split("\n")
    assert events.index("00_a end") < events.index("01_b start")
    c_start, c_end = events.index("02_c start"), events.index("02_c end")
    assert c_end == c_start + 1, "nothing ran beside the notebook marked alone"
    assert events.index("03_d start") > max(events.index(f"{n} end") for n in ("00_a", "01_b", "02_c"))


def test_a_failure_names_the_notebook_and_skips_those_that_need_it(tmp_path):
    bad = _write(tmp_path / "00_bad.ipynb", "raise ValueError('boom')")
    after = _write(tmp_path / "01_after.ipynb", "print('ran')", metadata={"course": {"needs": ["00_bad"]}})
    lines = []
    with pytest.raises(RuntimeError, match="2 notebook.*00_bad.ipynb, 01_after.ipynb"):
        course.run_all([bad, after], tmp_path / "out", jobs=1, log=lines.append)
    assert any("skipped: it needs 00_bad" in line for line in lines)


@pytest.fixture
def previous_run(tmp_path, monkeypatch):
    """A report folder holding an earlier run's record, and a notebook folder whose 00 writes a new one."""
    target = tmp_path / "my-report"
    (target / "results").mkdir(parents=True)
    (target / "results" / "00_old--x.json").write_text("{}")
    monkeypatch.setenv("COURSE_REPORT_DIR", str(target))
    monkeypatch.setattr(course, "BUILD_DIR", tmp_path / "build")
    monkeypatch.setattr(course, "notebooks_dir", lambda: tmp_path / "nbs")
    _write(tmp_path / "nbs" / "00_write.ipynb",
           "import os, pathlib\nd = pathlib.Path(os.environ['COURSE_REPORT_DIR']) / 'results'\nd.mkdir(parents=True, exist_ok=True)\n"
           "(d / '00_write--new.json').write_text('{}')")
    return target


def test_a_failed_run_leaves_the_previous_results_intact(tmp_path, previous_run):
    target = previous_run
    _write(tmp_path / "nbs" / "01_fail.ipynb", "raise ValueError('boom')")
    assert course.main([]) == 1
    assert sorted(p.name for p in (target / "results").iterdir()) == ["00_old--x.json"]


def test_a_full_successful_run_replaces_the_results(tmp_path, monkeypatch, previous_run):
    target = previous_run
    monkeypatch.setattr(course, "TIMINGS", tmp_path / "build" / "timings.log")
    import utils.report

    monkeypatch.setattr(utils.report, "write_learner_report", lambda folder: folder / "REPORT.md")
    assert course.main([]) == 0
    assert sorted(p.name for p in (target / "results").iterdir()) == ["00_write--new.json"]
    assert json.loads((target / "results" / "00_write--new.json").read_text()) == {}
