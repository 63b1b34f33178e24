"""Benchmarking inference variants of a model the same way: size, latency, throughput, accuracy.

In the spirit of the ``PerformanceBenchmark`` of *Natural Language Processing with
Transformers* (chapter 8): one object holds the evaluation texts and labels and measures
every variant of a model with them, so that the figures compare. Notebook 09 builds it.

Generated from notebooks/09_inference.ipynb by `python -m course_build.export`: edit the notebook's #@save cells, not this file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from utils.errors import CourseError
from utils.export import add_to_class
from utils.measure import PeakMemory, Timing, size_on_disk_mb, time_function


@dataclass(frozen=True)
class BenchmarkResult:
    """One variant's figures. ``latency``: each call's time divided by the examples in it;
    ``call_latency``: each call's time, what a caller waits for its whole batch."""

    name: str
    accuracy: float
    latency: Timing
    call_latency: Timing
    throughput_per_s: float
    batch_size: int
    size_mb: float | None
    peak_memory_mb: float
    predictions: tuple[int, ...]


def _time_per_example_s(self) -> float:
    """Total timed seconds divided by the examples: the inverse of the throughput."""
    return 1 / self.throughput_per_s


@add_to_class(BenchmarkResult)
def __str__(self) -> str:
    return (f"{self.name}: accuracy {self.accuracy:.4f}, {self.throughput_per_s:.1f} examples/s, "
            f"latency per example median {self.latency.median * 1e3:.2f} ms, p95 {self.latency.p95 * 1e3:.2f} ms")


BenchmarkResult.time_per_example_s = property(_time_per_example_s)


class PerformanceBenchmark:
    """Measures every variant of a classifier on the same texts, the same way."""

    def __init__(self, texts: Sequence[str], labels: Sequence[int], *, warmup: int = 1, metric=None):
        texts, labels = list(texts), [int(y) for y in labels]
        if not texts or not all(isinstance(t, str) for t in texts):
            raise CourseError("PerformanceBenchmark needs a non-empty list of texts (pass list(dataset['text'])).")
        if len(texts) != len(labels):
            raise CourseError(f"PerformanceBenchmark got {len(texts)} texts but {len(labels)} labels: give one label per text.")
        if not isinstance(warmup, int) or isinstance(warmup, bool) or warmup < 0:
            raise CourseError(f"warmup must be an integer of at least 0, got {warmup!r}.")
        if metric is not None and not callable(getattr(metric, "compute", None)):
            raise CourseError("metric must have a compute(predictions=..., references=...) method, like an evaluate module.")
        self.texts, self.labels, self.warmup, self._metric = texts, labels, warmup, metric
        self.results: dict[str, BenchmarkResult] = {}


@add_to_class(PerformanceBenchmark)
def accuracy(self, predictions: Sequence[int]) -> float:
    """The accuracy of ``predictions`` (one per text), with the course's accuracy module unless given another."""
    if len(predictions) != len(self.labels):
        raise CourseError(f"Got {len(predictions)} predictions for {len(self.labels)} texts: give one per text.")
    if self._metric is None:
        import evaluate

        from utils import catalog

        self._metric = evaluate.load(catalog.evaluation_module("accuracy"))
    return float(self._metric.compute(predictions=list(predictions), references=self.labels)["accuracy"])


@add_to_class(PerformanceBenchmark)
def batches(self, batch_size: int, sort_key: Callable[[str], int] | None = None) -> list[list[int]]:
    """The texts' indices, cut into batches of ``batch_size`` (sorted by ``sort_key`` first, if given)."""
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise CourseError(f"batch_size must be an integer of at least 1, got {batch_size!r}.")
    if sort_key is not None and not callable(sort_key):
        raise CourseError(f"sort_key must be a function of a text (e.g. its token count), got {type(sort_key).__name__}.")
    order = list(range(len(self.texts)))
    if sort_key is not None:
        order.sort(key=lambda i: sort_key(self.texts[i]))
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


@add_to_class(PerformanceBenchmark)
def run(self, name: str, predict: Callable[[list[str]], Sequence[int]], *, batch_size: int = 1,
        sort_key: Callable[[str], int] | None = None, size=None) -> BenchmarkResult:
    """Measure one variant (``predict`` takes a batch of texts, returns label ids); keep it under ``name``."""
    if not isinstance(name, str) or not name.strip() or not callable(predict):
        raise CourseError("run needs a non-empty name and a predict function of a list of texts.")
    batches = self.batches(batch_size, sort_key)
    queue, predictions = iter(batches * self.warmup + batches), [None] * len(self.texts)

    def call() -> None:
        indices = next(queue)
        output = list(predict([self.texts[i] for i in indices]))
        if len(output) != len(indices):
            raise CourseError(f"predict returned {len(output)} labels for {len(indices)} texts: return one per text.")
        for i, label in zip(indices, output, strict=True):
            predictions[i] = int(label)
    with PeakMemory() as memory:
        calls = time_function(call, warmup=self.warmup * len(batches), repeats=len(batches))
    return self.keep(name, calls, batches, predictions, batch_size, size, memory.peak_mb)


@add_to_class(PerformanceBenchmark)
def keep(self, name, calls: Timing, batches, predictions, batch_size, size, peak_mb) -> BenchmarkResult:
    """The result of a run, from its timed calls; kept in ``results`` (a later run of the same name replaces it)."""
    per_example = Timing(tuple(t / len(b) for t, b in zip(calls.times, batches, strict=True)), calls.warmup)
    result = BenchmarkResult(
        name=name, accuracy=self.accuracy(predictions), latency=per_example, call_latency=calls,
        throughput_per_s=len(self.texts) / sum(calls.times), batch_size=batch_size,
        size_mb=None if size is None else size_on_disk_mb(size), peak_memory_mb=peak_mb, predictions=tuple(predictions))
    self.results[name] = result
    return result


@add_to_class(PerformanceBenchmark)
def table(self, baseline: str | None = None):
    """Every result so far, one row each, with its speed-up and accuracy change against ``baseline``."""
    import pandas as pd

    if not self.results:
        raise CourseError("No results yet: measure a variant with run(name, predict) first.")
    reference = self.results.get(baseline if baseline is not None else next(iter(self.results)))
    if reference is None:
        raise CourseError(f"Unknown baseline {baseline!r}: use one of {', '.join(self.results)}.")
    rows = {r.name: {"size (MB)": r.size_mb, "batch": r.batch_size, "latency median (ms)": r.latency.median * 1e3,
                     "latency p95 (ms)": r.latency.p95 * 1e3, "call median (ms)": r.call_latency.median * 1e3,
                     "throughput (ex/s)": r.throughput_per_s, "accuracy": r.accuracy} for r in self.results.values()}
    table = pd.DataFrame(rows).T.astype({"batch": int})
    table["speedup"] = table["throughput (ex/s)"] / reference.throughput_per_s
    table["accuracy change (points)"] = (table["accuracy"] - reference.accuracy) * 100
    return table.rename_axis("variant")
