"""McNemar: the course's offline copy of the Hub's `mcnemar` comparison, with scikit-learn and scipy."""

import datasets
import evaluate
from scipy.stats import chi2
from sklearn.metrics import confusion_matrix

_DESCRIPTION = """
McNemar's test compares two classifiers on the same examples. It looks only at the
examples where exactly one of them is right: b (model 1 right, model 2 wrong) and c (the
reverse). If the two were equally good, b and c would be about equal. The statistic is
(b - c)^2 / (b + c), compared with a chi-squared distribution with one degree of freedom.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions1 (`list` of `int`): the first model's predicted labels.
    predictions2 (`list` of `int`): the second model's predicted labels.
    references (`list` of `int`): ground truth labels.

Returns:
    stat (`float`): the McNemar statistic.
    p (`float`): the p-value: the chance of a difference at least this large if both models were equally good.

Examples:
    >>> mcnemar = evaluate.load("evaluate_modules/mcnemar", module_type="comparison")
    >>> mcnemar.compute(references=[1, 0, 1, 1], predictions1=[1, 0, 1, 0], predictions2=[0, 0, 0, 0])
    {'stat': 2.0, 'p': 0.15729920705028105}
"""

_CITATION = """
@article{mcnemar1947note,
  title={Note on the sampling error of the difference between correlated proportions or percentages},
  author={McNemar, Quinn},
  journal={Psychometrika}, volume={12}, number={2}, pages={153--157}, year={1947}
}
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class McNemar(evaluate.Comparison):
    def _info(self):
        return evaluate.ComparisonInfo(
            module_type="comparison",
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions1": datasets.Value("int64"),
                    "predictions2": datasets.Value("int64"),
                    "references": datasets.Value("int64"),
                }
            ),
        )

    def _compute(self, predictions1, predictions2, references):
        right1 = [p == r for p, r in zip(predictions1, references, strict=True)]
        right2 = [p == r for p, r in zip(predictions2, references, strict=True)]
        table = confusion_matrix(right1, right2, labels=[True, False])
        b, c = table[0, 1], table[1, 0]
        statistic = float((b - c) ** 2 / (b + c)) if b + c else 0.0
        return {"stat": statistic, "p": float(chi2.sf(statistic, df=1))}
