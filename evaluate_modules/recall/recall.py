"""Recall: the course's offline copy of the Hub's `recall` metric, computed with scikit-learn."""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import recall_score

_DESCRIPTION = """
Recall is the share of positive examples that are found: TP / (TP + FN).
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `int`): predicted labels.
    references (`list` of `int`): ground truth labels.
    labels (`list` of `int`): the labels to include when `average` is not "binary". Defaults to None.
    pos_label (`int`): the positive class when `average="binary"`. Defaults to 1.
    average (`str`): "binary" (default), "micro", "macro", "weighted", "samples", or None for one score per class.
    zero_division (`int` or `str`): the value when there is no positive example. Defaults to "warn" (0 with a warning).
    sample_weight (`list` of `float`): weight of each example. Defaults to None.

Returns:
    recall (`float`): the recall, between 0 and 1 (a list with average=None).

Examples:
    >>> recall = evaluate.load("evaluate_modules/recall")
    >>> recall.compute(references=[0, 1, 1, 0], predictions=[0, 1, 0, 0])
    {'recall': 0.5}
"""

_CITATION = """
@article{scikit-learn,
  title={Scikit-learn: Machine Learning in {P}ython},
  author={Pedregosa, F. and others},
  journal={Journal of Machine Learning Research},
  volume={12}, pages={2825--2830}, year={2011}
}
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Recall(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
            reference_urls=["https://scikit-learn.org/stable/modules/generated/sklearn.metrics.recall_score.html"],
        )

    def _compute(self, predictions, references, labels=None, pos_label=1, average="binary", zero_division="warn", sample_weight=None):
        score = recall_score(references, predictions, labels=labels, pos_label=pos_label, average=average, zero_division=zero_division, sample_weight=sample_weight)
        return {"recall": float(score) if np.ndim(score) == 0 else [float(s) for s in score]}
