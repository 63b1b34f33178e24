"""Benchmarking inference variants of a model the same way: size, latency, throughput, accuracy.

In the spirit of the ``PerformanceBenchmark`` of *Natural Language Processing with
Transformers* (chapter 8): one object holds the evaluation texts, their labels and the
timing settings, and measures every variant of a model with them, so that the figures
compare. Timing reuses :mod:`utils.measure`.

- :func:`size_on_disk_mb`: a file, a folder, or a torch model's state dict saved to a
  temporary file;
- :class:`PerformanceBenchmark`: runs a variant's ``predict`` over the evaluation set in
  batches, untimed first (warm-up passes), then timing every call with
  :func:`utils.measure.time_function`, and scores the predictions with the course's
  accuracy module;
- :class:`BenchmarkResult` and :func:`results_table`: one variant's figures, and the
  table of all of them against a baseline;

Example::

    bench = PerformanceBenchmark(texts, labels, warmup=1)
    baseline = bench.run("one at a time", predict, batch_size=1, size=model)
    batched = bench.run("batches of 32", predict, batch_size=32, size=model)
    bench.table(baseline="one at a time")
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from utils.errors import CourseError
from utils.measure import MB, PeakMemory, Timing, time_function


def size_on_disk_mb(obj) -> float:
    """Size on disk in MB (10**6 bytes) of a file, of all files in a folder, or of a torch
    model's ``state_dict`` saved with ``torch.save`` to a temporary file."""
    if isinstance(obj, str | os.PathLike):
        path = Path(obj)
        if path.is_file():
            return path.stat().st_size / MB
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / MB
        raise CourseError(f"There is no file or folder at {path}: pass the path of a saved model, or the model itself.")
    import torch

    if isinstance(obj, torch.nn.Module):
        with tempfile.TemporaryDirectory(prefix="course-size-") as folder:
            file = Path(folder) / "state_dict.pt"
            torch.save(obj.state_dict(), file)
            return file.stat().st_size / MB
    raise CourseError(f"size_on_disk_mb needs a path or a torch model, got {type(obj).__name__}.")


@dataclass(frozen=True)
class BenchmarkResult:
    """The figures of one variant, measured by :meth:`PerformanceBenchmark.run`.

    ``latency`` holds one time per example: each call's time divided by the examples in
    its batch (for one-at-a-time calls, the call's time itself). ``call_latency`` holds
    each call's time: what a caller waits for its whole batch.
    """

    name: str
    accuracy: float
    latency: Timing
    call_latency: Timing
    throughput_per_s: float
    num_examples: int
    batch_size: int
    size_mb: float | None
    peak_memory_mb: float
    predictions: tuple[int, ...]

    @property
    def time_per_example_s(self) -> float:
        """Total timed seconds divided by the examples: the inverse of the throughput."""
        return 1 / self.throughput_per_s

    def as_row(self) -> dict:
        """The figures as a flat dict (times in ms), one row of :func:`results_table`."""
        return {
            "size (MB)": self.size_mb,
            "batch": self.batch_size,
            "latency median (ms)": self.latency.median * 1e3,
            "latency p95 (ms)": self.latency.p95 * 1e3,
            "call median (ms)": self.call_latency.median * 1e3,
            "throughput (ex/s)": self.throughput_per_s,
            "accuracy": self.accuracy,
        }

    def __str__(self) -> str:
        return (f"{self.name}: accuracy {self.accuracy:.4f}, {self.throughput_per_s:.1f} examples/s, "
                f"latency per example median {self.latency.median * 1e3:.2f} ms, p95 {self.latency.p95 * 1e3:.2f} ms")


def results_table(results: Sequence[BenchmarkResult], baseline: str | None = None):
    """A pandas table of ``results``, one row per variant, with the speedup and the accuracy
    change (in points) against ``baseline`` (by default the first result)."""
    import pandas as pd

    results = list(results)
    if not results or not all(isinstance(r, BenchmarkResult) for r in results):
        raise CourseError("results_table needs a list of BenchmarkResult, as PerformanceBenchmark.run returns them.")
    by_name = {r.name: r for r in results}
    reference = by_name.get(baseline if baseline is not None else results[0].name)
    if reference is None:
        raise CourseError(f"Unknown baseline {baseline!r}: use one of {', '.join(by_name)}.")
    table = pd.DataFrame({name: r.as_row() for name, r in by_name.items()}).T
    table["speedup"] = table["throughput (ex/s)"] / reference.throughput_per_s
    table["accuracy change (points)"] = (table["accuracy"] - reference.accuracy) * 100
    table.index.name = "variant"
    return table.astype({"batch": int})


def _load_accuracy():
    import evaluate

    from utils import catalog

    return evaluate.load(catalog.evaluation_module("accuracy"))


class PerformanceBenchmark:
    """Measures every variant of a classifier on the same texts, the same way.

    Args:
        texts: the evaluation texts.
        labels: their label ids.
        warmup: untimed passes over all the batches before the timed pass, so that every
            batch shape has been seen once (libraries prepare kernels and memory for a
            new shape on first sight, which a single warm-up call would not cover).
        metric: an object with ``compute(predictions=..., references=...)`` returning
            ``{"accuracy": ...}``; by default the course's accuracy module
            (``evaluate.load(catalog.evaluation_module("accuracy"))``).

    :meth:`run` keeps every result in :attr:`results` (a later run of the same name
    replaces the earlier one); :meth:`table` shows them.
    """

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
        self.texts, self.labels, self.warmup = texts, labels, warmup
        self._metric = metric
        self.results: dict[str, BenchmarkResult] = {}

    def accuracy(self, predictions: Sequence[int]) -> float:
        """The accuracy of ``predictions`` (one per text) against the labels."""
        if len(predictions) != len(self.labels):
            raise CourseError(f"Got {len(predictions)} predictions for {len(self.labels)} texts: give one per text.")
        if self._metric is None:
            self._metric = _load_accuracy()
        return float(self._metric.compute(predictions=list(predictions), references=self.labels)["accuracy"])

    def run(self, name: str, predict: Callable[[list[str]], Sequence[int]], *, batch_size: int = 1,
            sort_key: Callable[[str], int] | None = None, size=None) -> BenchmarkResult:
        """Measure one variant and keep its result under ``name``.

        Args:
            name: the variant's name in tables and figures.
            predict: takes a list of texts (one batch) and returns one label id per text.
            batch_size: texts per ``predict`` call.
            sort_key: if given, batches are formed from the texts sorted by this key (e.g.
                their token count), so each batch holds texts of similar length; the
                predictions are put back in the original order.
            size: a path or a torch model whose :func:`size_on_disk_mb` to report; None
                leaves the size out.
        """
        if not isinstance(name, str) or not name.strip():
            raise CourseError(f"A variant needs a non-empty name, got {name!r}.")
        if not callable(predict):
            raise CourseError(f"predict must be a function of a list of texts, got {type(predict).__name__}.")
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise CourseError(f"batch_size must be an integer of at least 1, got {batch_size!r}.")
        if sort_key is not None and not callable(sort_key):
            raise CourseError(f"sort_key must be a function of a text (e.g. its token count), got {type(sort_key).__name__}.")
        order = list(range(len(self.texts)))
        if sort_key is not None:
            order.sort(key=lambda i: sort_key(self.texts[i]))
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        queue = iter(batches * self.warmup + batches)
        predictions: list[int | None] = [None] * len(self.texts)

        def call() -> None:
            indices = next(queue)
            output = list(predict([self.texts[i] for i in indices]))
            if len(output) != len(indices):
                raise CourseError(f"predict returned {len(output)} labels for {len(indices)} texts: return one per text.")
            for i, label in zip(indices, output, strict=True):
                predictions[i] = int(label)

        with PeakMemory() as memory:
            calls = time_function(call, warmup=self.warmup * len(batches), repeats=len(batches))
        per_example = Timing(tuple(t / len(b) for t, b in zip(calls.times, batches, strict=True)), calls.warmup)
        result = BenchmarkResult(
            name=name, accuracy=self.accuracy(predictions), latency=per_example, call_latency=calls,
            throughput_per_s=len(self.texts) / sum(calls.times), num_examples=len(self.texts),
            batch_size=batch_size, size_mb=None if size is None else size_on_disk_mb(size),
            peak_memory_mb=memory.peak_mb, predictions=tuple(predictions))
        self.results[name] = result
        return result

    def table(self, baseline: str | None = None):
        """:func:`results_table` of every result so far."""
        if not self.results:
            raise CourseError("No results yet: measure a variant with run(name, predict) first.")
        return results_table(list(self.results.values()), baseline)
