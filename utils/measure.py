"""Measurements, done the same way for every experiment of the course.

- :func:`time_function`: wall time with warm-up, then repeated timed runs (median, p95);
- :class:`PeakMemory`: peak resident memory of the process during a block (and peak CUDA
  memory when a GPU is used);
- :func:`forward_flops`: forward FLOPs per example with ``torch.utils.flop_counter``;
- :func:`count_parameters`: total and trainable parameters;
- :func:`padding_share`: the share of computed tokens that are padding, for a batching;
- :func:`time_generation`: tokens per second of ``model.generate``, the same way everywhere.

Sizes and memory are in MB of 10**6 bytes (:data:`MB`), everywhere in the course.
"""

from __future__ import annotations

import ctypes
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from utils.errors import CourseError

#: The course's one unit for sizes and memory: a megabyte is 10**6 bytes (as on the Hub).
MB = 1e6


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated runs, in seconds."""

    times: tuple[float, ...]
    warmup: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.times)

    @property
    def p95(self) -> float:
        """The 95th percentile (nearest rank)."""
        ordered = sorted(self.times)
        return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]

    @property
    def best(self) -> float:
        return min(self.times)

    def __str__(self) -> str:
        return (f"median {self.median * 1e3:.1f} ms, p95 {self.p95 * 1e3:.1f} ms "
                f"over {len(self.times)} runs after {self.warmup} warm-up")


def time_function(fn: Callable[[], object], *, warmup: int = 1, repeats: int = 5) -> Timing:
    """Call ``fn`` ``warmup`` times untimed, then ``repeats`` times timed with ``perf_counter``."""
    if not callable(fn):
        raise CourseError(f"time_function needs a function to call, got {type(fn).__name__}: wrap the code in a lambda.")
    if not isinstance(warmup, int) or warmup < 0:
        raise CourseError(f"warmup must be an integer of at least 0, got {warmup!r}.")
    if not isinstance(repeats, int) or repeats < 1:
        raise CourseError(f"repeats must be an integer of at least 1, got {repeats!r}.")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timing(tuple(times), warmup)


def release_freed_memory() -> None:
    """Collect garbage and return the freed heap pages to the system (glibc only; elsewhere a no-op)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl, for example)
            pass


class PeakMemory:
    """Context manager measuring the peak memory used during a block, in MB (10**6 bytes).

    On the CPU, a background thread samples the process's resident set size (psutil)
    every ``interval`` seconds; ``peak_mb`` is the highest sample minus the size at
    entry, ``peak_rss_mb`` the highest sample itself. On entry, memory that earlier work
    freed is handed back to the system first (``gc.collect`` and glibc's ``malloc_trim``):
    otherwise a second training run in the same process reuses it unseen and looks
    several times lighter than the first. On a GPU, ``cuda_peak_mb`` is
    ``torch.cuda.max_memory_allocated`` during the block.

    Example::

        with PeakMemory() as memory:
            model(**batch)
        print(memory.peak_mb)
    """

    def __init__(self, interval: float = 0.005):
        if interval <= 0:
            raise CourseError(f"interval must be positive, got {interval!r}.")
        self.interval = interval
        self.baseline_mb = self.peak_rss_mb = self.peak_mb = 0.0
        self.cuda_peak_mb: float | None = None
        self._stop = threading.Event()

    def _sample(self) -> None:
        import psutil

        process = psutil.Process()
        while not self._stop.is_set():
            self.peak_rss_mb = max(self.peak_rss_mb, process.memory_info().rss / MB)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        import psutil
        import torch

        self._cuda = torch.cuda.is_available()
        if self._cuda:
            torch.cuda.reset_peak_memory_stats()
        release_freed_memory()
        self.baseline_mb = self.peak_rss_mb = psutil.Process().memory_info().rss / MB
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        import psutil
        import torch

        self._stop.set()
        self._thread.join()
        self.peak_rss_mb = max(self.peak_rss_mb, psutil.Process().memory_info().rss / MB)
        self.peak_mb = self.peak_rss_mb - self.baseline_mb
        if self._cuda:
            self.cuda_peak_mb = torch.cuda.max_memory_allocated() / MB


def forward_flops(model, inputs: Mapping, num_examples: int | None = None) -> float:
    """Forward FLOPs per example of ``model(**inputs)``, counted by ``torch.utils.flop_counter``.

    Args:
        model: a torch module.
        inputs: the keyword arguments of the forward call (e.g. a tokenizer's output).
        num_examples: examples in the batch; by default the first dimension of the first tensor.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    if not isinstance(model, torch.nn.Module):
        raise CourseError(f"forward_flops needs a torch model, got {type(model).__name__}.")
    if not isinstance(inputs, Mapping) or not inputs:
        raise CourseError("forward_flops needs the forward call's inputs as a dict, e.g. tokenizer(..., return_tensors='pt').")
    if num_examples is None:
        first = next(v for v in inputs.values() if isinstance(v, torch.Tensor))
        num_examples = first.shape[0]
    if num_examples < 1:
        raise CourseError(f"num_examples must be at least 1, got {num_examples!r}.")
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(**inputs)
    return counter.get_total_flops() / num_examples


@dataclass(frozen=True)
class ParameterCount:
    """Total and trainable parameters of a model."""

    total: int
    trainable: int

    @property
    def trainable_share(self) -> float:
        return self.trainable / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.total:,} parameters, {self.trainable:,} trainable ({self.trainable_share:.2%})"


def count_parameters(model) -> ParameterCount:
    """Count the parameters of a torch module (shared tensors counted once)."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise CourseError(f"count_parameters needs a torch model, got {type(model).__name__}.")
    params = list(model.parameters())  # .parameters() already skips tied duplicates
    return ParameterCount(
        total=sum(p.numel() for p in params),
        trainable=sum(p.numel() for p in params if p.requires_grad),
    )


def training_step_flops(model, inputs: Mapping) -> float:
    """FLOPs of one training step's forward and backward passes on ``inputs`` (the whole batch).

    ``model(**inputs)`` must return an output with a ``loss`` (pass ``labels``). Gradients
    are computed and then cleared; the optimizer update (a few FLOPs per parameter) is not
    counted.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    if not isinstance(model, torch.nn.Module):
        raise CourseError(f"training_step_flops needs a torch model, got {type(model).__name__}.")
    if not isinstance(inputs, Mapping) or "labels" not in inputs:
        raise CourseError("training_step_flops needs the batch as a dict with 'labels', as a data collator returns it.")
    was_training = model.training
    model.train()
    counter = FlopCounterMode(display=False)
    with counter:
        model(**inputs).loss.backward()
    model.zero_grad(set_to_none=True)
    model.train(was_training)
    return float(counter.get_total_flops())


def matmul_peak_flops(size: int = 2048, repeats: int = 5, dtype=None) -> float:
    """This machine's measured matrix-multiply speed in FLOP/s: the best of ``repeats`` runs
    of a ``size`` x ``size`` product (2 * size**3 FLOPs each), in float32 unless ``dtype`` says."""
    import torch

    if not isinstance(size, int) or size < 16:
        raise CourseError(f"size must be an integer of at least 16, got {size!r}.")
    a = torch.randn(size, size, dtype=dtype or torch.float32)
    b = torch.randn(size, size, dtype=dtype or torch.float32)
    timing = time_function(lambda: a @ b, warmup=1, repeats=repeats)
    return 2 * size**3 / timing.best


def padding_share(lengths, batch_size: int, sort: bool = False) -> float:
    """The share of computed tokens that are padding when sequences of token counts ``lengths``
    are batched ``batch_size`` at a time in the given order (or sorted by length), each batch
    padded to its longest sequence: 1 - real tokens / computed tokens."""
    lengths = [int(n) for n in lengths]
    if not lengths or min(lengths) < 0:
        raise CourseError("padding_share needs a non-empty list of token counts.")
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise CourseError(f"batch_size must be an integer of at least 1, got {batch_size!r}.")
    if sort:
        lengths = sorted(lengths)
    computed = sum(max(lengths[i:i + batch_size]) * len(lengths[i:i + batch_size])
                   for i in range(0, len(lengths), batch_size))
    return 1 - sum(lengths) / computed if computed else 0.0


@dataclass(frozen=True)
class GenerationTiming:
    """Wall times of repeated ``generate`` calls and the tokens each produced."""

    timing: Timing
    new_tokens: int
    prompt_tokens: int
    output_ids: tuple[int, ...]

    @property
    def tokens_per_s(self) -> float:
        """Generated tokens per second, from the median call."""
        return self.new_tokens / self.timing.median

    def __str__(self) -> str:
        return f"{self.tokens_per_s:.1f} tokens/s ({self.new_tokens} new tokens, {self.timing})"


def time_generation(model, inputs, *, max_new_tokens: int = 32, warmup: int = 1, repeats: int = 3,
                    seed: int | None = None, **generate_kwargs) -> GenerationTiming:
    """Time ``model.generate(**inputs, ...)`` (one prompt) with warm-up and repeats.

    Every call generates exactly ``max_new_tokens`` tokens (``min_new_tokens`` is set to it,
    so an early end-of-text token cannot flatter a setting), under ``torch.inference_mode``.
    With ``seed``, ``transformers.set_seed(seed)`` runs before every call, so sampling
    generates the same text each time. ``generate_kwargs`` go to ``generate`` (e.g.
    ``do_sample=True``, ``use_cache=False``, ``num_beams=4``).
    """
    import torch
    from transformers import set_seed

    if not callable(getattr(model, "generate", None)):
        raise CourseError(f"time_generation needs a model with generate(), got {type(model).__name__}.")
    if not isinstance(max_new_tokens, int) or isinstance(max_new_tokens, bool) or max_new_tokens < 1:
        raise CourseError(f"max_new_tokens must be an integer of at least 1, got {max_new_tokens!r}.")
    if "input_ids" not in inputs or inputs["input_ids"].shape[0] != 1:
        raise CourseError("time_generation needs one tokenized prompt: a dict with input_ids of shape (1, length).")
    outputs = []

    def generate() -> None:
        if seed is not None:
            set_seed(seed)
        with torch.inference_mode():
            outputs.append(model.generate(**inputs, max_new_tokens=max_new_tokens,
                                          min_new_tokens=max_new_tokens, **generate_kwargs))

    timing = time_function(generate, warmup=warmup, repeats=repeats)
    prompt_tokens = int(inputs["input_ids"].shape[1])
    new_ids = outputs[-1][0, prompt_tokens:]
    return GenerationTiming(timing, int(new_ids.numel()), prompt_tokens, tuple(new_ids.tolist()))


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
