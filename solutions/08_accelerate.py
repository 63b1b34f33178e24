"""Reference solutions of notebook 08_accelerate's exercises (see solutions/00_setup.py for the format)."""

# %% Exercise 1
accumulation_steps = 64 // (4 * 8)  # processes x reviews per micro-batch x steps = 64

# %% Exercise 1: wrong (forgets the other processes)
accumulation_steps = 64 // 8

# %% Exercise 2
from accelerate.data_loader import prepare_data_loader

reviews_per_rank = []
for rank in range(3):
    shard = prepare_data_loader(DataLoader(test, batch_size=64, collate_fn=collator), num_processes=3,
                                process_index=rank, put_on_device=False)
    reviews_per_rank.append(sum(len(batch["labels"]) for batch in shard))

# %% Exercise 2: wrong (an exact share)
reviews_per_rank = [len(test) // 3 + (rank < len(test) % 3) for rank in range(3)]
