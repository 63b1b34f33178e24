"""The course's evaluation modules load offline and agree with scikit-learn and scipy."""

import numpy as np
import pytest
import yaml
from sklearn import metrics

from utils import CourseError, catalog

RNG = np.random.default_rng(0)
REFERENCES = RNG.integers(0, 2, 200).tolist()
PREDICTIONS = [r if RNG.random() < 0.8 else 1 - r for r in REFERENCES]


def _load(name):
    import evaluate

    return evaluate.load(catalog.evaluation_module(name, mode="offline"),
                         module_type=catalog.EVALUATION_MODULES[name])


@pytest.mark.parametrize("name, reference", [
    ("accuracy", metrics.accuracy_score), ("precision", metrics.precision_score),
    ("recall", metrics.recall_score), ("f1", metrics.f1_score),
    ("balanced_accuracy", metrics.balanced_accuracy_score),
])
def test_metric_matches_scikit_learn(no_network, name, reference):
    result = _load(name).compute(predictions=PREDICTIONS, references=REFERENCES)
    assert result == {name: pytest.approx(reference(REFERENCES, PREDICTIONS))}


def test_metric_keyword_arguments_reach_scikit_learn():
    f1 = _load("f1")
    refs, preds = [0, 1, 2, 0], [0, 1, 1, 1]
    assert f1.compute(references=refs, predictions=preds, average=None) == {
        "f1": pytest.approx(metrics.f1_score(refs, preds, average=None).tolist())}
    assert _load("accuracy").compute(references=refs, predictions=preds, normalize=False) == {"accuracy": 2.0}


def test_majority_baseline_on_imbalanced_labels():
    refs = [0] * 9 + [1]
    majority = [0] * 10
    assert _load("accuracy").compute(references=refs, predictions=majority)["accuracy"] == 0.9
    assert _load("f1").compute(references=refs, predictions=majority)["f1"] == 0.0
    assert _load("balanced_accuracy").compute(references=refs, predictions=majority)["balanced_accuracy"] == 0.5


def test_add_batch_equals_compute():
    accuracy = _load("accuracy")
    for start in range(0, 200, 64):
        accuracy.add_batch(predictions=PREDICTIONS[start:start + 64], references=REFERENCES[start:start + 64])
    assert accuracy.compute() == _load("accuracy").compute(predictions=PREDICTIONS, references=REFERENCES)


def test_mcnemar_matches_the_chi_squared_arithmetic():
    from scipy.stats import chi2

    other = [1 - p if i % 7 == 0 else p for i, p in enumerate(PREDICTIONS)]
    right1 = np.array(PREDICTIONS) == np.array(REFERENCES)
    right2 = np.array(other) == np.array(REFERENCES)
    b, c = int((right1 & ~right2).sum()), int((~right1 & right2).sum())
    result = _load("mcnemar").compute(predictions1=PREDICTIONS, predictions2=other, references=REFERENCES)
    assert result["stat"] == pytest.approx((b - c) ** 2 / (b + c))
    assert result["p"] == pytest.approx(chi2.sf((b - c) ** 2 / (b + c), 1))
    same = _load("mcnemar").compute(predictions1=PREDICTIONS, predictions2=PREDICTIONS, references=REFERENCES)
    assert same == {"stat": 0.0, "p": 1.0}


def test_label_distribution():
    from scipy.stats import skew

    data = [1, 0, 2, 2, 0, 0, 0, 0, 0, 2]
    result = _load("label_distribution").compute(data=data)
    assert result["label_distribution"] == {"labels": [1, 0, 2], "fractions": [0.1, 0.6, 0.3]}
    assert result["label_skew"] == pytest.approx(skew(data))
    words = _load("label_distribution").compute(data=["ham", "ham", "spam"])
    assert words["label_distribution"]["labels"] == ["ham", "spam"]


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        _load("accuracy").compute(predictions=[0, 1], references=[0])


@pytest.mark.parametrize("name", list(catalog.EVALUATION_MODULES))
def test_every_module_has_a_card_and_an_inputs_description(name):
    module = _load(name)
    assert "Args:" in module.inputs_description and "Returns:" in module.inputs_description
    card = (catalog.evaluation_module(name, mode="offline") + "/README.md")
    header = yaml.safe_load(open(card).read().split("---")[1])
    assert catalog.EVALUATION_MODULES[name] in header["tags"] and header["title"]


def test_hub_mode_names_the_hub_module_and_keeps_the_course_own():
    assert catalog.evaluation_module("accuracy", mode="hub") == "accuracy"
    assert catalog.evaluation_module("balanced_accuracy", mode="hub").endswith("evaluate_modules/balanced_accuracy")
    with pytest.raises(CourseError, match="Unknown evaluation module 'bleu'"):
        catalog.evaluation_module("bleu")
