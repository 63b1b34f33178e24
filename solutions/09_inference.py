"""Reference solutions of notebook 09_inference's exercises (see solutions/00_setup.py for the format)."""

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
