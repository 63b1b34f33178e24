import pytest
import torch

from utils.checks import check, check_close, check_embedding_parameters, check_label_share


class Toy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = torch.nn.Embedding(10, 4)
        self.head = torch.nn.Linear(4, 2)


def test_check_passes_and_fails(capsys):
    check(True, "well done", "hint")
    assert "Correct: well done" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="Not yet: hint"):
        check(False, "well done", "hint")


def test_check_close_refuses_non_numbers():
    with pytest.raises(AssertionError, match="should be a number"):
        check_close("40", 40, "x", "hint")
    with pytest.raises(AssertionError):
        check_close(True, 1, "x", "hint")


def test_embedding_exercise():
    model = Toy()
    check_embedding_parameters(40, model)
    with pytest.raises(AssertionError, match="model.embeddings.parameters"):
        check_embedding_parameters(50, model)  # the whole model, not the embeddings


def test_label_share_exercise():
    from datasets import ClassLabel, Dataset, Features, Value

    split = Dataset.from_dict({"text": list("abcd"), "label": [1, 1, 1, 0]},
                              features=Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])}))
    check_label_share(0.75, split, "pos")
    with pytest.raises(AssertionError):
        check_label_share(3, split, "pos")  # a count, not a share
    with pytest.raises(AssertionError):
        check_label_share(0.25, split, "pos")


class _FakeConfig:
    id2label = {0: "neg", 1: "pos"}


class _FakeClassifier:
    """Stands in for a text-classification pipeline: P(pos) = 0.9 for 'good' texts, else 0.2."""

    model = type("M", (), {"config": _FakeConfig()})()

    def __call__(self, texts, top_k=None):
        out = []
        for text in texts:
            p = 0.9 if "good" in text else 0.2
            out.append([{"label": "pos", "score": p}, {"label": "neg", "score": 1 - p}])
        return out


def test_positive_probabilities_exercise():
    from utils.checks import check_positive_probabilities

    texts = ["good film", "bad film"]
    check_positive_probabilities([0.9, 0.2], _FakeClassifier(), texts)
    for wrong in ([0.1, 0.8], [0.9], "0.9, 0.2"):  # P(neg), too few, not numbers
        with pytest.raises(AssertionError):
            check_positive_probabilities(wrong, _FakeClassifier(), texts)


def test_zero_shot_exercise():
    from utils.checks import check_zero_shot

    check_zero_shot(["a", "b", "c"], ["a", "b", "x"], min_correct=2)
    with pytest.raises(AssertionError, match="only 1 of 3"):
        check_zero_shot(["a", "x", "x"], ["a", "b", "c"], min_correct=2)
    with pytest.raises(AssertionError, match="one label per text"):
        check_zero_shot(["a"], ["a", "b"], min_correct=1)


def test_trainer_exercises():
    from types import SimpleNamespace

    from utils.checks import check_best_eval_accuracy, check_mistakes

    trainer = SimpleNamespace(state=SimpleNamespace(log_history=[{"loss": 0.6}, {"eval_accuracy": 0.7}, {"eval_accuracy": 0.8}]))
    check_best_eval_accuracy(0.8, trainer)
    with pytest.raises(AssertionError):
        check_best_eval_accuracy(0.7, trainer)  # the last, not the best
    check_mistakes(1, [0, 1, 1], [0, 1, 0])
    with pytest.raises(AssertionError):
        check_mistakes(2, [0, 1, 1], [0, 1, 0])


def test_peft_exercises():
    from types import SimpleNamespace

    from utils import catalog
    from utils.checks import check_active_adapter, check_lora_parameters

    encoder = catalog.model("encoder", mode="offline")
    check_lora_parameters(6 * 2 * 4 * (384 + 384), encoder, 4, ["query", "value"])
    with pytest.raises(AssertionError, match=r"r \* \(in \+ out\)"):
        check_lora_parameters(6 * 2 * 4 * 384, encoder, 4, ["query", "value"])
    check_active_adapter(SimpleNamespace(active_adapter="spam"), "spam")
    with pytest.raises(AssertionError, match="set_adapter"):
        check_active_adapter(SimpleNamespace(active_adapter="sentiment"), "spam")


def test_accelerate_exercises():
    from utils.checks import check_accumulation_steps, check_disagreements

    check_accumulation_steps(2, global_batch=64, per_process=8, num_processes=4)
    for wrong in (8, 2.0, 4):  # ignores the processes, not an integer, ignores the micro-batch
        with pytest.raises(AssertionError, match="integer"):
            check_accumulation_steps(wrong, global_batch=64, per_process=8, num_processes=4)
    check_disagreements(1, [0, 1, 1], [0, 1, 0])
    with pytest.raises(AssertionError):
        check_disagreements(2, [0, 1, 1], [0, 1, 0])


def test_break_even_exercise():
    from types import SimpleNamespace

    from utils.checks import check_break_even

    slow, fast = SimpleNamespace(time_per_example_s=0.03), SimpleNamespace(time_per_example_s=0.01)
    check_break_even(250.0, 5.0, slow, fast)  # 5 s / 0.02 s saved per example
    with pytest.raises(AssertionError, match="seconds saved per example"):
        check_break_even(5.0 / 0.03, 5.0, slow, fast)  # divided by the slow time, not the saving
    check_break_even(float("inf"), 5.0, fast, slow)  # never paid back
    with pytest.raises(AssertionError):
        check_break_even(-250.0, 5.0, fast, slow)


def test_padding_share_exercise():
    from utils.checks import check_padding_share

    lengths = [3, 10, 4, 9]  # sorted in pairs: (3, 4) and (9, 10) -> 8 + 20 computed, 26 real
    check_padding_share(1 - 26 / 28, lengths, batch_size=2)
    with pytest.raises(AssertionError, match="sort the lengths"):
        check_padding_share(1 - 26 / 40, lengths, batch_size=2)  # unsorted: (3, 10) and (4, 9)


def test_check_longest_training():
    from utils.checks import check_longest_training

    records = [{"experiment": "a", "train_time_s": 3.0}, {"experiment": "b", "train_time_s": None},
               {"experiment": "c", "train_time_s": 7.5}]
    check_longest_training("c", records)
    with pytest.raises(AssertionError):
        check_longest_training("a", records)
