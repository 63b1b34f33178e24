"""The exercises of notebooks/08_accelerate.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

import math

from utils.exercises import Wrong, integer, register


@register("08_accelerate", 1, hint="Each optimizer step sums the gradients of every process's micro-batches, "
          "over the accumulation steps: processes x reviews per micro-batch x steps = the batch you want.")
def accumulation(answer, global_batch: int = 64, per_process: int = 8, num_processes: int = 4):
    value = integer(answer, "The number of accumulation steps")
    expected = global_batch // (per_process * num_processes)
    if value == expected:
        return f"{num_processes} processes x {per_process} reviews x {value} micro-batches = {global_batch} reviews per update."
    if value == global_batch // per_process:
        raise Wrong("that forgets the other processes: each of the four adds its own micro-batch to every step.")
    if value == global_batch // num_processes:
        raise Wrong(f"that is the reviews each process contributes to an update ({value}), not the micro-batches of "
                    f"{per_process} it takes to contribute them.")
    raise Wrong(f"{num_processes} x {per_process} x {value} = {num_processes * per_process * value}, not {global_batch}.")


@register("08_accelerate", 2, hint="Build the DataLoader once per rank, pass it to prepare_data_loader with "
          "num_processes=3 and that rank's process_index, and add up the labels of the batches it yields.")
def reviews_per_rank(answer, num_examples: int, batch_size: int):
    from accelerate.data_loader import prepare_data_loader
    from torch.utils.data import DataLoader

    if not isinstance(answer, list | tuple) or len(answer) != 3:
        raise Wrong("give a list of three counts, one per process (rank 0 first).")
    got = [integer(a, "Each count") for a in answer]
    expected = [sum(len(batch) for batch in prepare_data_loader(
        DataLoader(list(range(num_examples)), batch_size=batch_size), num_processes=3, process_index=rank,
        put_on_device=False)) for rank in range(3)]
    if got == expected:
        return (f"{expected} reviews, {sum(expected)} in all for {num_examples}: {sum(expected) - num_examples} "
                "repeated to give every process the same number of batches, then dropped by gather_for_metrics.")
    batches = [math.ceil(e / batch_size) for e in expected]
    if got == batches:
        raise Wrong("those are batches, not reviews: add up the labels of each batch the shard yields.")
    if sum(got) == num_examples:
        raise Wrong("that shares the reviews out exactly; accelerate gives each process whole batches, and "
                    "repeats a few reviews so that every process gets as many batches.")
    raise Wrong(f"{got} is not what prepare_data_loader gives each of three processes.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
accumulation_steps = 64 // (4 * 8)  # processes x reviews per micro-batch x steps = 64

# %% Exercise 1: wrong (forgets the other processes)
accumulation_steps = 64 // 8

# %% Exercise 1: wrong (the reviews per process, divided by the processes only)
accumulation_steps = 64 // 4

# %% Exercise 2
from accelerate.data_loader import prepare_data_loader

reviews_per_rank = []
for rank in range(3):
    shard = prepare_data_loader(DataLoader(test, batch_size=64, collate_fn=collator), num_processes=3,
                                process_index=rank, put_on_device=False)
    reviews_per_rank.append(sum(len(batch["labels"]) for batch in shard))

# %% Exercise 2: wrong (an exact share)
reviews_per_rank = [len(test) // 3 + (rank < len(test) % 3) for rank in range(3)]

# %% Exercise 2: wrong (batches counted, not reviews)
reviews_per_rank = [len(prepare_data_loader(DataLoader(test, batch_size=64, collate_fn=collator), num_processes=3,
                                            process_index=rank, put_on_device=False)) for rank in range(3)]
'''
