"""Notebook parameters: environment overrides, the stored defaults, and what differs from them."""

import json

import pytest

from utils import CourseError, params
from utils.params import changed, current, defaults, param


def test_param_reads_the_environment_with_the_default_type(monkeypatch):
    monkeypatch.setenv("COURSE_TRAIN_SIZE", "320")
    monkeypatch.setenv("COURSE_GROUPED", "0")
    monkeypatch.setenv("COURSE_SIZES", "[1, 2]")
    assert param("train_size", 4000) == 320
    assert param("grouped", True) is False
    assert param("sizes", [8]) == [1, 2]
    assert param("lr", 1e-4) == 1e-4
    monkeypatch.setenv("COURSE_LR", "fast")
    with pytest.raises(CourseError, match="COURSE_LR='fast' is not a valid float"):
        param("lr", 1e-4)


def _notebook(tmp_path, source):
    path = tmp_path / "00_toy.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]},
                                           "source": source, "outputs": [], "execution_count": None}]}))
    return path


def test_defaults_are_read_from_the_stored_parameters_cell(tmp_path, monkeypatch):
    _notebook(tmp_path, 'from utils import param\n\nsize = param("size", 4000)  # note\nsizes = [1, 8]\nx = compute()\n')
    monkeypatch.setattr(params, "notebooks_dir", lambda: tmp_path)
    assert defaults("00_toy.ipynb") == {"size": 4000, "sizes": [1, 8]}
    assert defaults("missing.ipynb") == {}


def test_current_values_come_from_the_kernel_namespace_and_changes_are_named(tmp_path, monkeypatch):
    _notebook(tmp_path, 'size = param("size", 4000)\nsizes = [1, 8]\n')
    monkeypatch.setattr(params, "notebooks_dir", lambda: tmp_path)
    monkeypatch.setattr(params, "_namespace", lambda: {"size": 320, "sizes": (1, 8)})  # as papermill would set it
    values = current("00_toy.ipynb")
    assert values == {"size": 320, "sizes": [1, 8]}
    assert changed("00_toy.ipynb", values) == {"size": {"value": 320, "default": 4000}}

