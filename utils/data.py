"""Data helpers shared by the notebooks."""

from __future__ import annotations

from utils.errors import CourseError

SPLITS = ("train", "validation", "test")


def ensure_splits(dataset_dict, seed: int = 42, test_size: float = 0.1, validation_size: float = 0.1):
    """Return ``dataset_dict`` with train, validation and test splits, stratified by ``label``.

    The offline datasets already have all three (this is then a no-op). Some Hub datasets
    ship a train split only (``ucirvine/sms_spam``) or no validation split: the missing ones
    are carved out of train with ``train_test_split(stratify_by_column="label")``, so a
    notebook's code is the same in both modes.
    """
    from datasets import DatasetDict

    if not isinstance(dataset_dict, DatasetDict) or "train" not in dataset_dict:
        raise CourseError("ensure_splits needs a DatasetDict with a 'train' split, as load_dataset returns.")
    if not 0 < test_size < 1 or not 0 < validation_size < 1 or test_size + validation_size >= 1:
        raise CourseError("test_size and validation_size must be fractions that add up to less than 1.")
    splits = dict(dataset_dict)
    if "test" not in splits:
        parts = splits["train"].train_test_split(test_size=test_size, stratify_by_column="label", seed=seed)
        splits["train"], splits["test"] = parts["train"], parts["test"]
    if "validation" not in splits:
        share = validation_size / (1 - test_size) if "test" not in dataset_dict else validation_size
        parts = splits["train"].train_test_split(test_size=share, stratify_by_column="label", seed=seed)
        splits["train"], splits["validation"] = parts["train"], parts["test"]
    return DatasetDict({name: splits[name] for name in SPLITS})
