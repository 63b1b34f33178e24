"""The notebook runner: staged copies run by pytest --nbmake, sizes, solutions, and results replaced only on success."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_build import runner, sizes


def _write(path, *sources, parameters=None):
    cells = [new_markdown_cell("# Toy")]
    if parameters is not None:
        cells.append(new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    cells += [new_code_cell(s) for s in sources]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def test_nbmake_runs_the_staged_copies_in_order_and_writes_them_back_executed(tmp_path):
    log = tmp_path / "order.txt"
    paths = [_write(tmp_path / "nbs" / f"{name}.ipynb", f"open({str(log)!r}, 'a').write('{name} ')")
             for name in ("00_a", "01_b")]
    before = paths[0].read_text()
    staged = runner.stage(paths, tmp_path / "out")
    assert runner.run(staged) == 0
    assert log.read_text().split() == ["00_a", "01_b"]
    executed = nbformat.read(tmp_path / "out" / "00_a.ipynb", as_version=4)
    assert executed.cells[1].execution_count == 1, "the executed copy was written back"
    assert paths[0].read_text() == before, "the stored notebook is never rewritten"


def test_each_notebook_time_goes_to_the_log_it_is_given_and_nowhere_else(tmp_path):
    staged = runner.stage([_write(tmp_path / "00_quick.ipynb", "x = 1")], tmp_path / "out")
    assert runner.run(staged) == 0 and not (tmp_path / "timings.log").exists()
    assert runner.run(staged, timings=tmp_path / "timings.log") == 0
    assert (tmp_path / "timings.log").read_text().startswith("[make]   notebook 00_quick: ")


def test_a_failing_notebook_fails_the_run_and_leaves_its_executed_copy(tmp_path):
    staged = runner.stage([_write(tmp_path / "01_bad.ipynb", "raise ValueError('boom')")], tmp_path / "out")
    assert runner.run(staged) != 0
    outputs = nbformat.read(tmp_path / "out" / "01_bad.ipynb", as_version=4).cells[1].outputs
    assert outputs and outputs[0]["ename"] == "ValueError"


def test_the_kernel_gets_the_environment_it_is_given(tmp_path):
    source = _write(tmp_path / "00_env.ipynb", "import os\nassert os.environ['COURSE_TOY'] == 'here'")
    assert runner.run(runner.stage([source], tmp_path / "out"), env={"COURSE_TOY": "here"}) == 0
    assert runner.run(runner.stage([source], tmp_path / "out"), env={"COURSE_TOY": "elsewhere"}) != 0


def test_the_command_is_pytest_nbmake_with_cell_and_notebook_timeouts(tmp_path):
    command = runner.pytest_command([tmp_path / "00_a.ipynb"], cell_timeout=60, notebook_timeout=600)
    assert command[1:4] == ["-m", "pytest", "--nbmake"]
    assert "--nbmake-timeout=60" in command and "--timeout=600" in command


def test_the_test_scale_sets_each_notebook_its_sizes_and_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(sizes, "TEST_SIZES", {"00_sizes": {"train_size": 800, "eval_size": 100}})
    monkeypatch.setenv("COURSE_EVAL_SIZE", "50")
    source = _write(tmp_path / "00_sizes.ipynb", "print(train_size, eval_size)",
                    parameters="from utils import param\ntrain_size = param('train_size', 4000)\n"
                               "eval_size = param('eval_size', 400)")
    for scale, expected in [("test", "800 50"), ("full", "4000 50")]:
        staged = runner.stage([source], tmp_path / scale, scale=scale)
        assert runner.run(staged) == 0
        executed = nbformat.read(staged[0], as_version=4)
        assert executed.cells[-1].outputs[0]["text"].strip() == expected


def test_a_partial_reference_run_only_adds_notebooks_the_reference_lacks(capsys):
    assert runner.main(["--reference", "06"]) == 1
    assert "already has records of 06_trainer" in capsys.readouterr().err


def test_the_reference_run_refuses_the_test_scale(capsys):
    assert runner.main(["--reference", "--scale", "test"]) == 1
    assert "notebooks' defaults" in capsys.readouterr().err


@pytest.fixture
def previous_run(tmp_path, monkeypatch):
    """A report folder holding an earlier run's record, and a notebook folder whose 00 writes a new one."""
    target = tmp_path / "my-report"
    (target / "results").mkdir(parents=True)
    (target / "results" / "00_old--x.json").write_text("{}")
    monkeypatch.setenv("COURSE_REPORT_DIR", str(target))
    monkeypatch.setattr(runner, "BUILD_DIR", tmp_path / "build")
    from utils import paths

    monkeypatch.setattr(paths, "notebooks_dir", lambda: tmp_path / "nbs")
    _write(tmp_path / "nbs" / "00_write.ipynb",
           "import os, pathlib\nd = pathlib.Path(os.environ['COURSE_REPORT_DIR']) / 'results'\nd.mkdir(parents=True, exist_ok=True)\n"
           "(d / '00_write--new.json').write_text('{}')")
    return target


def test_a_failed_run_leaves_the_previous_results_intact(tmp_path, previous_run):
    target = previous_run
    _write(tmp_path / "nbs" / "01_fail.ipynb", "raise ValueError('boom')")
    assert runner.main([]) == 1
    assert sorted(p.name for p in (target / "results").iterdir()) == ["00_old--x.json"]


def test_a_full_successful_run_replaces_the_results(tmp_path, monkeypatch, previous_run):
    target = previous_run
    import utils.report

    monkeypatch.setattr(utils.report, "write_learner_report", lambda folder: folder / "REPORT.md")
    assert runner.main([]) == 0
    assert sorted(p.name for p in (target / "results").iterdir()) == ["00_write--new.json"]
    assert json.loads((target / "results" / "00_write--new.json").read_text()) == {}
