"""The exercises of notebooks/04_datasets.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, integer, register


@register("04_datasets", 1, hint="Tokenize the training texts without truncation, then count the reviews "
          "whose token count (special tokens included) is above the limit.")
def truncated_reviews(answer, train, tokenizer, limit: int = 32):
    value = integer(answer, "The number of reviews")
    lengths = [len(ids) for ids in tokenizer(list(train["text"]))["input_ids"]]
    expected = sum(n > limit for n in lengths)
    if value == expected:
        return f"{expected:,} of {len(lengths):,} reviews ({expected / len(lengths):.0%}) lose tokens at max_length={limit}."
    if value == sum(n >= limit for n in lengths):
        raise Wrong(f"that counts the reviews of exactly {limit} tokens too, which truncation leaves whole.")
    if value == sum(len(t.split()) > limit for t in train["text"]):
        raise Wrong("that counts words, not tokens; the tokenizer splits many words into several tokens.")
    raise Wrong(f"{value:,} is not the number of training reviews longer than {limit} tokens.")


@register("04_datasets", 2, hint="A DataLoader takes the dataset, a batch size, whether to shuffle (it does "
          "not unless told), and a collate_fn: the function that turns a list of rows into one batch.")
def first_padded_batch(answer, features, tokenizer, size: int = 16):
    import torch
    from transformers import DataCollatorWithPadding

    if not hasattr(answer, "keys") or "input_ids" not in answer or not torch.is_tensor(answer["input_ids"]):
        raise Wrong("give the first batch the DataLoader yields: a dict of tensors, as the collator returns it.")
    ids = answer["input_ids"]
    if ids.dim() != 2 or len(ids) != size:
        raise Wrong(f"the batch holds {len(ids)} rows, not {size}: set the DataLoader's batch_size.")
    expected = DataCollatorWithPadding(tokenizer)([features[i] for i in range(size)])
    pad = tokenizer.pad_token_id
    rows = [[t for t in row.tolist() if t != pad] for row in ids]
    if rows != [[t for t in row.tolist() if t != pad] for row in expected["input_ids"]]:
        raise Wrong(f"those are not the first {size} rows of features in order: leave shuffle off (its default).")
    if ids.shape[1] != expected["input_ids"].shape[1]:
        raise Wrong(f"the batch is {ids.shape[1]} tokens wide, not {expected['input_ids'].shape[1]}, the length of its "
                    "longest row: let the collator pad to the longest row, not to max_length.")
    if "labels" not in answer or not torch.equal(answer["attention_mask"], expected["attention_mask"]):
        raise Wrong("the batch lacks the collator's labels or attention mask: use collator as the collate_fn.")
    pads = int((expected["attention_mask"] == 0).sum())
    return (f"{size} rows x {ids.shape[1]} tokens, {pads:,} of them padding ({pads / ids.numel():.0%}); "
            f"padded to max_length, the same rows would cost {size} x max_length tokens.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
token_counts = [len(ids) for ids in tokenizer(list(train["text"]))["input_ids"]]
truncated_at_32 = sum(count > 32 for count in token_counts)

# %% Exercise 1: wrong (counts the reviews of exactly 32 tokens, which keep all their tokens)
truncated_at_32 = sum(len(ids) >= 32 for ids in tokenizer(list(train["text"]))["input_ids"])

# %% Exercise 1: wrong (words, not tokens)
truncated_at_32 = sum(len(text.split()) > 32 for text in train["text"])

# %% Exercise 2
from torch.utils.data import DataLoader

loader = DataLoader(features, batch_size=16, collate_fn=collator)
first_batch = next(iter(loader))

# %% Exercise 2: wrong (shuffle=True: the first batch holds 16 random rows)
from torch.utils.data import DataLoader

first_batch = next(iter(DataLoader(features, batch_size=16, shuffle=True, collate_fn=collator)))

# %% Exercise 2: wrong (a collator that pads every batch to max_length)
from torch.utils.data import DataLoader

fixed = DataCollatorWithPadding(tokenizer, padding="max_length", max_length=max_length)
first_batch = next(iter(DataLoader(features, batch_size=16, collate_fn=fixed)))

# %% Exercise 2: wrong (the notebook's batch_size of 32 instead of 16)
from torch.utils.data import DataLoader

first_batch = next(iter(DataLoader(features, batch_size=batch_size, collate_fn=collator)))
'''
