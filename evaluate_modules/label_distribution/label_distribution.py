"""Label distribution: the course's offline copy of the Hub's `label_distribution` measurement."""

from collections import Counter

import datasets
import evaluate
from scipy import stats

_DESCRIPTION = """
Returns the label distribution of a dataset (each label and its share) and its skew. A
skew of 0 means a symmetric distribution; the further from 0, the more lopsided.
"""

_KWARGS_DESCRIPTION = """
Args:
    data (`list` of `int` or `str`): the labels of a dataset.

Returns:
    label_distribution (`dict`): `labels` (each distinct label) and `fractions` (its share).
    label_skew (`float`): the skew of the label values (scipy.stats.skew).

Examples:
    >>> distribution = evaluate.load("evaluate_modules/label_distribution", module_type="measurement")
    >>> distribution.compute(data=[1, 0, 2, 2, 0, 0, 0, 0, 0, 2])
    {'label_distribution': {'labels': [1, 0, 2], 'fractions': [0.1, 0.6, 0.3]}, 'label_skew': 0.6255144032921816}
"""

_CITATION = ""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class LabelDistribution(evaluate.Measurement):
    def _info(self):
        return evaluate.MeasurementInfo(
            module_type="measurement",
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=[
                datasets.Features({"data": datasets.Value("int32")}),
                datasets.Features({"data": datasets.Value("string")}),
            ],
        )

    def _compute(self, data):
        counts = Counter(data)
        fractions = [count / len(data) for count in counts.values()]
        if isinstance(data[0], str):  # string labels are numbered in order of appearance
            ids = {label: i for i, label in enumerate(counts)}
            data = [ids[label] for label in data]
        return {
            "label_distribution": {"labels": list(counts), "fractions": fractions},
            "label_skew": float(stats.skew(data)),
        }
