"""`make course`'s runner executes copies and never rewrites the stored notebooks."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from utils import course


def test_run_notebook_writes_an_executed_copy(tmp_path):
    source = tmp_path / "nb" / "00_toy.ipynb"
    source.parent.mkdir()
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Toy"),
                                       new_code_cell("import os\nprint(os.path.basename(os.getcwd()))")]), source)
    before = source.read_text()
    seconds = course.run_notebook(source, tmp_path / "out")
    executed = nbformat.read(tmp_path / "out" / "00_toy.ipynb", as_version=4)
    assert executed.cells[1].outputs[0]["text"].strip() == "nb"  # ran in the notebook's own folder
    assert source.read_text() == before and seconds > 0


def test_a_failing_notebook_still_leaves_its_copy(tmp_path):
    import pytest
    from nbclient.exceptions import CellExecutionError

    source = tmp_path / "01_bad.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("raise ValueError('boom')")]), source)
    with pytest.raises(CellExecutionError):
        course.run_notebook(source, tmp_path / "out")
    assert (tmp_path / "out" / "01_bad.ipynb").exists()
