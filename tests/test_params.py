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


def test_test_sizes_name_real_parameters_and_only_shrink_them():
    for notebook, sizes in params.TEST_SIZES.items():
        reference = defaults(f"{notebook}.ipynb")
        assert reference, f"{notebook} is not a notebook with a parameters cell"
        for name, value in sizes.items():
            assert name in reference, f"{notebook} has no parameter {name}"
            default = reference[name]
            assert type(value) is type(default), f"{notebook}.{name}: {value!r} is not a {type(default).__name__}"
            if isinstance(value, list):
                assert value and set(value) <= set(default), f"{notebook}.{name}: {value} is not part of {default}"
            else:
                assert 0 < value <= default, f"{notebook}.{name}: {value} does not shrink {default}"


def test_scale_environment_sets_the_test_sizes_as_the_kernel_reads_them(monkeypatch):
    monkeypatch.setattr(params, "TEST_SIZES", {"06_toy": {"train_size": 800, "batch_sizes": [1, 8]}})
    assert params.scale_environment("06_toy", "full") == {}
    assert params.scale_environment("07_other", "test") == {}
    variables = params.scale_environment("06_toy", "test")
    assert variables == {"COURSE_TRAIN_SIZE": "800", "COURSE_BATCH_SIZES": "[1, 8]"}
    monkeypatch.setenv("COURSE_BATCH_SIZES", variables["COURSE_BATCH_SIZES"])
    assert param("batch_sizes", [1, 8, 32]) == [1, 8]
    with pytest.raises(CourseError, match="unknown scale 'tiny'"):
        params.scale_environment("06_toy", "tiny")
