import pytest
import torch

from utils import CourseError
from utils.measure import (
    PeakMemory,
    Timing,
    count_parameters,
    forward_flops,
    matmul_peak_flops,
    time_function,
    training_step_flops,
)


def test_time_function_warms_up_then_repeats():
    calls = []
    timing = time_function(lambda: calls.append(1), warmup=2, repeats=7)
    assert len(calls) == 9 and len(timing.times) == 7 and timing.warmup == 2
    assert timing.best <= timing.median <= timing.p95 <= max(timing.times)


def test_timing_statistics():
    timing = Timing(tuple(float(i) for i in range(1, 21)), warmup=0)
    assert timing.median == 10.5 and timing.p95 == 19.0 and timing.mean == 10.5 and timing.best == 1.0


@pytest.mark.parametrize("kwargs, pattern", [
    ({"fn": 3}, "needs a function"),
    ({"fn": print, "repeats": 0}, "repeats must be an integer of at least 1"),
    ({"fn": print, "warmup": -1}, "warmup must be an integer of at least 0"),
])
def test_time_function_rejects_bad_arguments(kwargs, pattern):
    fn = kwargs.pop("fn")
    with pytest.raises(CourseError, match=pattern):
        time_function(fn, **kwargs)


def test_peak_memory_sees_a_large_allocation():
    import numpy as np

    with PeakMemory() as memory:
        block = np.ones(200 * 10**6 // 8)  # 200 MB, touched
        block.sum()
        del block
    assert 150 < memory.peak_mb < 400
    assert memory.peak_rss_mb >= memory.baseline_mb + memory.peak_mb - 1


def test_peak_memory_sees_memory_that_earlier_work_freed():
    # Freed heap blocks below a live one stay in the process: without handing them back on
    # entry, the second allocation would reuse them and look far smaller than 200 MB.
    blocks = [bytearray(4096) for _ in range(50_000)]  # 200 MB of small heap blocks
    pin = bytearray(4096)  # allocated after them: the heap's top cannot shrink
    del blocks
    with PeakMemory() as memory:
        again = [bytearray(4096) for _ in range(50_000)]
    assert len(again) == 50_000 and len(pin) == 4096
    assert memory.peak_mb > 150


def test_peak_memory_rejects_a_bad_interval():
    with pytest.raises(CourseError, match="interval must be positive"):
        PeakMemory(interval=0)


def test_forward_flops_of_a_linear_layer():
    model = torch.nn.Linear(10, 20, bias=False)
    flops = forward_flops(model, {"input": torch.zeros(4, 10)})
    assert flops == 2 * 10 * 20  # one multiply and one add per weight, per example


def test_forward_flops_rejects_bad_inputs():
    with pytest.raises(CourseError, match="needs a torch model"):
        forward_flops("bert", {"x": torch.zeros(1)})
    with pytest.raises(CourseError, match="inputs as a dict"):
        forward_flops(torch.nn.Linear(2, 2), torch.zeros(1, 2))
    with pytest.raises(CourseError, match="num_examples must be at least 1"):
        forward_flops(torch.nn.Linear(2, 2), {"input": torch.zeros(1, 2)}, num_examples=0)


def test_count_parameters_counts_frozen_and_tied_weights_once():
    embed = torch.nn.Embedding(100, 8)
    head = torch.nn.Linear(8, 100, bias=False)
    head.weight = embed.weight  # tied, as in many language models
    model = torch.nn.ModuleDict({"embed": embed, "head": head, "extra": torch.nn.Linear(8, 2)})
    model["extra"].weight.requires_grad_(False)
    count = count_parameters(model)
    assert count.total == 800 + 16 + 2
    assert count.trainable == 800 + 2
    assert "818 parameters" in str(count)


def test_count_parameters_rejects_a_non_model():
    with pytest.raises(CourseError, match="needs a torch model"):
        count_parameters([1, 2, 3])


def test_training_step_flops_counts_forward_and_backward():
    class Regressor(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(10, 1, bias=False)

        def forward(self, input, labels):
            prediction = self.linear(input)
            return type("Output", (), {"loss": ((prediction - labels) ** 2).mean()})()

    model = Regressor().eval()
    flops = training_step_flops(model, {"input": torch.randn(4, 10), "labels": torch.zeros(4, 1)})
    forward = 2 * 4 * 10
    assert flops == 2 * forward  # backward of a first layer: weight gradient only (no input gradient)
    assert model.linear.weight.grad is None and not model.training


def test_training_step_flops_needs_labels():
    with pytest.raises(CourseError, match="with 'labels'"):
        training_step_flops(torch.nn.Linear(2, 2), {"input": torch.zeros(1, 2)})


def test_matmul_peak_is_plausible():
    peak = matmul_peak_flops(size=256, repeats=3)
    assert 1e8 < peak < 1e14
    with pytest.raises(CourseError, match="at least 16"):
        matmul_peak_flops(size=4)
