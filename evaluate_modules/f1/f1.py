"""F1: the course's offline copy of the Hub's `f1` metric, computed with scikit-learn."""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import f1_score

_DESCRIPTION = """
F1 is the harmonic mean of precision and recall: 2 * (precision * recall) / (precision + recall).
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `int`): predicted labels.
    references (`list` of `int`): ground truth labels.
    labels (`list` of `int`): the labels to include when `average` is not "binary". Defaults to None.
    pos_label (`int`): the positive class when `average="binary"`. Defaults to 1.
    average (`str`): "binary" (default), "micro", "macro", "weighted", "samples", or None for one score per class.
    sample_weight (`list` of `float`): weight of each example. Defaults to None.

Returns:
    f1 (`float`): the F1 score, between 0 and 1 (a list with average=None).

Examples:
    >>> f1 = evaluate.load("evaluate_modules/f1")
    >>> f1.compute(references=[0, 1, 1, 0], predictions=[0, 1, 0, 0])
    {'f1': 0.6666666666666666}
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
class F1(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
            reference_urls=["https://scikit-learn.org/stable/modules/generated/sklearn.metrics.f1_score.html"],
        )

    def _compute(self, predictions, references, labels=None, pos_label=1, average="binary", sample_weight=None):
        score = f1_score(references, predictions, labels=labels, pos_label=pos_label, average=average, sample_weight=sample_weight)
        return {"f1": float(score) if np.ndim(score) == 0 else [float(s) for s in score]}
