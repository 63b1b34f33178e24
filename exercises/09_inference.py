"""The exercises of notebooks/09_inference.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, close, register, share


@register("09_inference", 1, hint="bench.run takes a name, a predict function (classifier(...) builds one, "
          "with a context such as torch.inference_mode), the batch size and the sort key used above.")
def batches_of_64(answer, bench, reference):
    if type(answer).__name__ != "BenchmarkResult":
        raise Wrong("give the result that bench.run returns.")
    if answer.name not in bench.results:
        raise Wrong("measure it with bench.run, so that it joins the benchmark's table.")
    if answer.batch_size != 64:
        raise Wrong(f"this variant runs batches of {answer.batch_size}, not 64.")
    agree = sum(a == b for a, b in zip(answer.predictions, reference.predictions, strict=True)) / len(reference.predictions)
    if agree < 0.99:
        raise Wrong("its predictions differ from the sorted batches of 32's: use the same float32 model.")
    ratio = answer.throughput_per_s / reference.throughput_per_s
    return f"{answer.throughput_per_s:.0f} reviews/s, {ratio:.2f}x the batches of 32: " + (
        "a larger batch pays a little here." if ratio > 1.05 else "no gain worth the wait: the CPU was already busy.")


@register("09_inference", 2, hint="padding_share takes the token counts, the batch size, and whether to sort "
          "the reviews by length before batching them.")
def padding_128(answer, lengths):
    from utils.measure import padding_share

    value = share(answer, "The padding share")
    expected = padding_share(lengths, 128, sort=True)
    if close(value, expected, abs_=5e-4):
        return (f"{expected:.1%} of the tokens are padding in sorted batches of 128, against "
                f"{padding_share(lengths, 32, sort=True):.1%} in batches of 32.")
    if close(value, padding_share(lengths, 128), abs_=5e-4):
        raise Wrong("that is the share in the reviews' own order; sort them by length first.")
    raise Wrong(f"{value:.4f} is not the padding share of sorted batches of 128.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
batches_of_64 = bench.run("sorted, batches of 64", classifier(model, context=torch.inference_mode), batch_size=64,
                          sort_key=token_count, size=model)

# %% Exercise 1: wrong (the variant with batches of 32)
batches_of_64 = no_autograd

# %% Exercise 2
from utils.measure import padding_share

share_128 = padding_share(lengths, 128, sort=True)

# %% Exercise 2: wrong (the reviews' own order)
from utils.measure import padding_share

share_128 = padding_share(lengths, 128)
'''
