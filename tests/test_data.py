import pytest
from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

from utils import CourseError
from utils.data import ensure_splits

FEATURES = Features({"sms": Value("string"), "label": ClassLabel(names=["ham", "spam"])})


def _train_only(n=1000):
    return DatasetDict({"train": Dataset.from_dict(
        {"sms": [f"message {i}" for i in range(n)], "label": [int(i % 8 == 0) for i in range(n)]}, features=FEATURES)})


def test_a_train_only_dataset_gets_stratified_splits():
    splits = ensure_splits(_train_only())
    assert list(splits) == ["train", "validation", "test"]
    assert [len(splits[s]) for s in splits] == [800, 100, 100]
    for name in splits:
        share = sum(splits[name]["label"]) / len(splits[name])
        assert abs(share - 0.125) < 0.02
    texts = [t for name in splits for t in splits[name]["sms"]]
    assert len(set(texts)) == 1000


def test_it_is_deterministic_and_a_no_op_when_complete():
    first, second = ensure_splits(_train_only()), ensure_splits(_train_only())
    assert first["test"]["sms"][:] == second["test"]["sms"][:]
    assert ensure_splits(first)["test"]["sms"][:] == first["test"]["sms"][:]


@pytest.mark.assets
def test_the_offline_dataset_is_unchanged():
    from datasets import load_dataset

    from utils import catalog

    spam = load_dataset(catalog.dataset("spam", mode="offline"))
    assert {s: len(spam[s]) for s in spam} == {s: len(d) for s, d in ensure_splits(spam).items()}


@pytest.mark.parametrize("bad, kwargs", [("not a dataset", {}), (None, {"test_size": 0.6, "validation_size": 0.5})])
def test_bad_arguments(bad, kwargs):
    with pytest.raises(CourseError):
        ensure_splits(bad if bad is not None else _train_only(), **kwargs)
