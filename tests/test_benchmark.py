"""Unit tests of utils.benchmark (exported from notebook 09's cells, imported by notebook 10), on tiny fake models (no assets needed)."""

import pytest
import torch

from utils import CourseError
from utils.benchmark import BenchmarkResult, PerformanceBenchmark
from utils.measure import size_on_disk_mb, time_generation


class SklearnAccuracy:
    """Stands in for the course's accuracy module (same call, no loading)."""

    def compute(self, predictions, references):
        from sklearn.metrics import accuracy_score

        return {"accuracy": accuracy_score(references, predictions)}


TEXTS = ["good", "bad film", "a good long film", "bad", "good good", "so bad it hurts to watch"]
LABELS = [1, 0, 1, 0, 1, 0]


def keyword_predict(texts):
    """A fake classifier: positive when 'good' is in the text."""
    return [int("good" in text) for text in texts]


def bench(**kwargs):
    return PerformanceBenchmark(TEXTS, LABELS, metric=SklearnAccuracy(), **kwargs)


def test_size_on_disk_of_file_folder_and_model(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"x" * 10**6)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.bin").write_bytes(b"x" * 500_000)
    assert size_on_disk_mb(tmp_path / "a.bin") == 1.0  # MB: 10**6 bytes, the course's one unit
    assert size_on_disk_mb(str(tmp_path)) == 1.5
    model = torch.nn.Linear(256, 256)  # 65,792 float32 values: about 0.26 MB
    assert 0.26 < size_on_disk_mb(model) < 0.28


def test_size_on_disk_shrinks_with_int8():
    import warnings

    model = torch.nn.Sequential(torch.nn.Linear(256, 256))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantized = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    assert size_on_disk_mb(quantized) < size_on_disk_mb(model) / 3


@pytest.mark.parametrize("obj, pattern", [("/no/such/path", "no file or folder"), (3, "needs a path or a torch model")])
def test_size_on_disk_rejects_bad_arguments(obj, pattern):
    with pytest.raises(CourseError, match=pattern):
        size_on_disk_mb(obj)


def test_run_measures_accuracy_latency_and_throughput():
    result = bench(warmup=1).run("keyword", keyword_predict, batch_size=4)
    assert isinstance(result, BenchmarkResult) and result.name == "keyword"
    assert result.accuracy == 1.0 and len(result.predictions) == 6 and result.batch_size == 4
    assert len(result.call_latency.times) == 2 and result.call_latency.warmup == 2  # batches of 4 and 2
    assert len(result.latency.times) == 2
    assert result.latency.times[1] == pytest.approx(result.call_latency.times[1] / 2)
    assert result.throughput_per_s == pytest.approx(6 / sum(result.call_latency.times))
    assert result.time_per_example_s == pytest.approx(1 / result.throughput_per_s)
    assert result.size_mb is None and "accuracy 1.0000" in str(result)


def test_warmup_passes_are_untimed_and_batches_follow_sort_key():
    seen = []

    def predict(texts):
        seen.append(list(texts))
        return [0] * len(texts)

    result = bench(warmup=2).run("sorted", predict, batch_size=3, sort_key=len)
    assert len(seen) == 2 * 2 + 2 and len(result.call_latency.times) == 2  # two untimed passes, one timed
    shortest, longest = sorted(TEXTS, key=len)[:3], sorted(TEXTS, key=len)[3:]
    assert seen == [shortest, longest] * 3  # every pass starts with the shortest texts
    assert result.predictions == (0,) * 6 and result.accuracy == 0.5


def test_sorted_predictions_return_to_the_original_order():
    result = bench(warmup=0).run("sorted keyword", keyword_predict, batch_size=2, sort_key=len)
    assert result.predictions == tuple(keyword_predict(TEXTS)) and result.accuracy == 1.0


def test_run_with_a_torch_model_reports_its_size():
    model = torch.nn.Linear(8, 2)
    result = bench(warmup=0).run("tiny", keyword_predict, batch_size=6, size=model)
    assert result.size_mb == pytest.approx(size_on_disk_mb(model))


def test_table_has_speedup_and_accuracy_change():
    b = bench(warmup=0)
    b.run("one at a time", keyword_predict, batch_size=1)
    b.run("always negative", lambda texts: [0] * len(texts), batch_size=3)
    table = b.table(baseline="one at a time")
    assert list(table.index) == ["one at a time", "always negative"]
    assert table.loc["one at a time", "speedup"] == pytest.approx(1.0)
    assert table.loc["always negative", "accuracy change (points)"] == pytest.approx(-50.0)
    assert table.loc["always negative", "batch"] == 3


def test_a_rerun_replaces_the_earlier_result():
    b = bench(warmup=0)
    b.run("v", lambda texts: [0] * len(texts))
    b.run("v", keyword_predict)
    assert len(b.results) == 1 and b.results["v"].accuracy == 1.0


@pytest.mark.parametrize("kwargs, pattern", [
    ({"texts": [], "labels": []}, "non-empty list of texts"),
    ({"texts": ["a", "b"], "labels": [1]}, "2 texts but 1 labels"),
    ({"texts": ["a"], "labels": [1], "warmup": -1}, "warmup must be an integer"),
    ({"texts": ["a"], "labels": [1], "metric": object()}, "compute"),
])
def test_benchmark_rejects_bad_construction(kwargs, pattern):
    with pytest.raises(CourseError, match=pattern):
        PerformanceBenchmark(**kwargs)


@pytest.mark.parametrize("args, kwargs, pattern", [
    (("", keyword_predict), {}, "non-empty name"),
    (("x", 3), {}, "a predict function"),
    (("x", keyword_predict), {"batch_size": 0}, "batch_size must be an integer of at least 1"),
    (("x", keyword_predict), {"sort_key": "len"}, "sort_key must be a function"),
    (("x", lambda texts: [1]), {"batch_size": 2}, "returned 1 labels for 2 texts"),
])
def test_run_rejects_bad_arguments(args, kwargs, pattern):
    with pytest.raises(CourseError, match=pattern):
        bench(warmup=0).run(*args, **kwargs)


def test_table_errors():
    with pytest.raises(CourseError, match="No results yet"):
        bench().table()
    b = bench(warmup=0)
    b.run("a", keyword_predict)
    with pytest.raises(CourseError, match="Unknown baseline 'b'"):
        b.table(baseline="b")


def test_accuracy_uses_the_course_module_by_default():
    b = PerformanceBenchmark(TEXTS, LABELS, warmup=0)
    assert b.accuracy(keyword_predict(TEXTS)) == 1.0
    with pytest.raises(CourseError, match="one per text"):
        b.accuracy([1])


@pytest.fixture(scope="module")
def tiny_lm():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                         bos_token_id=1, eos_token_id=2, pad_token_id=0)
    return LlamaForCausalLM(config).eval()


def test_time_generation_counts_exactly_the_new_tokens(tiny_lm):
    inputs = {"input_ids": torch.tensor([[1, 5, 6, 7]]), "attention_mask": torch.ones(1, 4, dtype=torch.long)}
    greedy = time_generation(tiny_lm, inputs, max_new_tokens=5, warmup=1, repeats=2, do_sample=False)
    assert greedy.new_tokens == 5 and len(greedy.output_ids) == 5 and len(greedy.timing.times) == 2
    assert greedy.tokens_per_s == pytest.approx(5 / greedy.timing.median) and "tokens/s" in str(greedy)
    no_cache = time_generation(tiny_lm, inputs, max_new_tokens=5, warmup=0, repeats=1, do_sample=False, use_cache=False)
    assert no_cache.output_ids == greedy.output_ids  # the cache changes the speed, not the tokens


def test_time_generation_is_reproducible_when_seeded(tiny_lm):
    inputs = {"input_ids": torch.tensor([[1, 5, 6, 7]]), "attention_mask": torch.ones(1, 4, dtype=torch.long)}
    first = time_generation(tiny_lm, inputs, max_new_tokens=8, warmup=0, repeats=1, seed=3, do_sample=True)
    again = time_generation(tiny_lm, inputs, max_new_tokens=8, warmup=0, repeats=1, seed=3, do_sample=True)
    assert first.output_ids == again.output_ids


@pytest.mark.parametrize("model, kwargs, pattern", [
    (object(), {}, "model with generate"),
    (None, {"max_new_tokens": 0}, "max_new_tokens must be an integer"),
    (None, {"inputs": {"input_ids": torch.ones(2, 3, dtype=torch.long)}}, "one tokenized prompt"),
])
def test_time_generation_rejects_bad_arguments(tiny_lm, model, kwargs, pattern):
    inputs = kwargs.pop("inputs", {"input_ids": torch.tensor([[1, 5]])})
    with pytest.raises(CourseError, match=pattern):
        time_generation(tiny_lm if model is None else model, inputs, **kwargs)
