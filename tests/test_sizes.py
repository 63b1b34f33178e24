"""The machinery's size table: the test scale and the hub rehearsal, derived from one table."""

import pytest

from course_build import sizes
from utils import CourseError
from utils.params import defaults


@pytest.mark.parametrize("scale", ["test", "rehearsal"])
def test_every_size_names_a_real_parameter_of_its_notebook_and_only_shrinks_it(scale):
    for notebook in sorted({*sizes.TEST_SIZES, *sizes.REHEARSAL_CHANGES}):
        reference = defaults(f"{notebook}.ipynb")
        assert reference, f"{notebook} is not a notebook with a parameters cell"
        for name, value in sizes.sizes(notebook, scale).items():
            assert name in reference, f"{notebook} has no parameter {name}"
            default = reference[name]
            assert type(value) is type(default), f"{notebook}.{name}: {value!r} is not a {type(default).__name__}"
            if isinstance(value, list):
                assert value and set(value) <= set(default), f"{notebook}.{name}: {value} is not part of {default}"
            elif isinstance(value, str):
                assert value != default
            else:
                assert 0 < value <= default, f"{notebook}.{name}: {value} does not shrink {default}"


def test_the_rehearsal_is_the_test_scale_with_its_changes(monkeypatch):
    monkeypatch.setattr(sizes, "TEST_SIZES", {"06_toy": {"train_size": 800, "eval_size": 100}})
    monkeypatch.setattr(sizes, "REHEARSAL_CHANGES", {"06_toy": {"train_size": 384}})
    assert sizes.sizes("06_toy", "full") == {}
    assert sizes.sizes("06_toy", "test") == {"train_size": 800, "eval_size": 100}
    assert sizes.sizes("06_toy", "rehearsal") == {"train_size": 384, "eval_size": 100}
    assert sizes.sizes("07_other", "test") == {}
    with pytest.raises(CourseError, match="unknown scale 'tiny'"):
        sizes.sizes("06_toy", "tiny")


def test_the_sizes_cell_goes_through_param_so_the_environment_still_wins(monkeypatch):
    code = sizes.sizes_cell({"train_size": 800, "batch_sizes": [1, 8]})
    namespace = {}
    from utils import param

    monkeypatch.setenv("COURSE_TRAIN_SIZE", "50")
    exec(code, {"param": param}, namespace)
    assert namespace == {"train_size": 50, "batch_sizes": [1, 8]}
    assert sizes.sizes_cell({}) == ""
