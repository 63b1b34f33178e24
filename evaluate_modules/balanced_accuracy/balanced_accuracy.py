"""Balanced accuracy: a metric written by the course (notebook 04 shows how), computed with scikit-learn."""

import datasets
import evaluate
from sklearn.metrics import balanced_accuracy_score

_DESCRIPTION = """
Balanced accuracy is the average of the recall of each class. On balanced data it equals
accuracy; on imbalanced data it does not reward a model for predicting the majority class:
always answering "ham" on SMS spam scores a balanced accuracy of 0.5, whatever the share
of ham. With `adjusted=True`, chance level is 0 and a perfect score 1.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `int`): predicted labels.
    references (`list` of `int`): ground truth labels.
    adjusted (`bool`): rescale so that chance level is 0 (default False).
    sample_weight (`list` of `float`): weight of each example. Defaults to None.

Returns:
    balanced_accuracy (`float`): the mean recall over classes, between 0 and 1
        (between -1 / (classes - 1) and 1 when adjusted).

Examples:
    >>> balanced_accuracy = evaluate.load("evaluate_modules/balanced_accuracy")
    >>> balanced_accuracy.compute(references=[0, 0, 0, 1], predictions=[0, 0, 0, 0])
    {'balanced_accuracy': 0.5}
"""

_CITATION = """
@inproceedings{brodersen2010balanced,
  title={The balanced accuracy and its posterior distribution},
  author={Brodersen, Kay Henning and Ong, Cheng Soon and Stephan, Klaas Enno and Buhmann, Joachim M.},
  booktitle={20th International Conference on Pattern Recognition}, pages={3121--3124}, year={2010}
}
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class BalancedAccuracy(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
            reference_urls=[
                "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.balanced_accuracy_score.html"
            ],
        )

    def _compute(self, predictions, references, adjusted=False, sample_weight=None):
        score = balanced_accuracy_score(references, predictions, adjusted=adjusted, sample_weight=sample_weight)
        return {"balanced_accuracy": float(score)}
