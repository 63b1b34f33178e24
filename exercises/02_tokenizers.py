"""The exercises of notebooks/02_tokenizers.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, register

WINDOW, OVERLAP = 24, 6
SPOILER = "[SPOILER]"
PROBE = "The twist [SPOILER] ruins it."


def _rows(answer) -> list[list[int]]:
    """The windows' ids as lists of ints (from lists, arrays or tensors; one flat row becomes one window)."""
    ids = answer["input_ids"]
    ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
    if ids and not isinstance(ids[0], list | tuple):
        ids = [ids]
    return [[int(i) for i in row] for row in ids]


@register("02_tokenizers", 1, hint="Call the tokenizer on the one text with truncation, max_length, stride and "
          "return_overflowing_tokens; max_length counts the special tokens, and stride is the overlap, not the step.")
def overlapping_windows(answer, tokenizer, reviews):
    if not hasattr(answer, "keys") or "input_ids" not in answer:
        raise Wrong("give the encoding the tokenizer returned (it has input_ids, one row per window).")
    rows = _rows(answer)
    longest = max(reviews, key=lambda text: len(tokenizer.tokenize(text)))

    def windows(text, **options):
        return tokenizer(text, truncation=True, max_length=WINDOW, return_overflowing_tokens=True, **options)["input_ids"]

    expected = windows(longest, stride=OVERLAP)
    if rows == expected:
        return (f"{len(expected)} windows of at most {WINDOW} tokens for the longest review's "
                f"{len(tokenizer.tokenize(longest))}; each repeats the last {OVERLAP} text tokens of the one before, "
                "so nothing is cut off.")
    if len(rows) == 1:
        raise Wrong("one window only: truncation dropped the rest of the review; ask for the overflowing tokens too.")
    if max(map(len, rows)) > WINDOW:
        raise Wrong(f"a window holds {max(map(len, rows))} tokens: at most {WINDOW}, special tokens included.")
    if rows == windows(longest):
        raise Wrong("the windows do not overlap: the tokens at each cut are seen once, at a window's edge; set stride.")
    text = tokenizer.decode(rows[0], skip_special_tokens=True)
    if not tokenizer.decode(expected[0], skip_special_tokens=True).startswith(text[:20]):
        raise Wrong("these are not the windows of the review with the most tokens; find it with max(..., key=...).")
    raise Wrong(f"these are not {WINDOW}-token windows overlapping by {OVERLAP} tokens (stride is the overlap).")


@register("02_tokenizers", 2, hint="A tokenizer's add_special_tokens takes a dict with the key "
          "'additional_special_tokens'; a model's resize_token_embeddings takes the new number of tokens.")
def spoiler_token(answer, wordpiece):
    if not (isinstance(answer, tuple | list) and len(answer) == 2):
        raise Wrong("give the pair (tokenizer, model).")
    tokenizer, model = answer
    if not callable(getattr(tokenizer, "tokenize", None)) or not hasattr(model, "get_input_embeddings"):
        raise Wrong("give the pair (tokenizer, model): the tokenizer first, then the encoder.")
    if tokenizer is wordpiece:
        raise Wrong("that is the notebook's wordpiece, changed in place: load a fresh copy with from_pretrained.")
    pieces = tokenizer.tokenize(PROBE)
    if SPOILER not in pieces:
        raise Wrong(f"{SPOILER} is not one token: {PROBE!r} gives {pieces}. A token added as a normal one is "
                    "lowercased by the normaliser like the text; add it as a special token.")
    ids = tokenizer(PROBE)["input_ids"]
    kept = tokenizer.decode(ids, skip_special_tokens=True)
    if "spoiler" in kept.lower():
        raise Wrong(f"skip_special_tokens keeps it ({kept!r}): the tokenizer does not know it as special.")
    if len(tokenizer) != len(wordpiece) + 1:
        raise Wrong(f"the tokenizer holds {len(tokenizer):,} tokens, not {len(wordpiece):,} + 1: add only {SPOILER}.")
    rows = model.get_input_embeddings().weight.shape[0]
    if rows < len(tokenizer):
        raise Wrong(f"the model's embedding table has {rows:,} rows for {len(tokenizer):,} tokens: id "
                    f"{tokenizer.convert_tokens_to_ids(SPOILER)} would index past it; resize the embeddings.")
    return (f"{SPOILER} is id {tokenizer.convert_tokens_to_ids(SPOILER)}, one token ({pieces}); decoding without "
            f"special tokens gives {kept!r}; the embedding table has {rows:,} rows, its new one still untrained.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
longest = max(reviews, key=lambda text: len(wordpiece.tokenize(text)))
windows = wordpiece(longest, truncation=True, max_length=24, stride=6, return_overflowing_tokens=True)
for row in windows["input_ids"]:
    print(wordpiece.decode(row))

# %% Exercise 1: wrong (truncation alone: the rest of the review is dropped)
longest = max(reviews, key=lambda text: len(wordpiece.tokenize(text)))
windows = wordpiece(longest, truncation=True, max_length=24)

# %% Exercise 1: wrong (no stride: the windows do not overlap)
longest = max(reviews, key=lambda text: len(wordpiece.tokenize(text)))
windows = wordpiece(longest, truncation=True, max_length=24, return_overflowing_tokens=True)

# %% Exercise 1: wrong (24 text tokens, plus [CLS] and [SEP]: max_length counts the special tokens)
longest = max(reviews, key=lambda text: len(wordpiece.tokenize(text)))
windows = wordpiece(longest, truncation=True, max_length=26, stride=6, return_overflowing_tokens=True)

# %% Exercise 1: wrong (stride taken for the step between windows, not their overlap)
longest = max(reviews, key=lambda text: len(wordpiece.tokenize(text)))
windows = wordpiece(longest, truncation=True, max_length=24, stride=18, return_overflowing_tokens=True)

# %% Exercise 2
tokenizer = AutoTokenizer.from_pretrained(catalog.model("encoder"))
tokenizer.add_special_tokens({"additional_special_tokens": ["[SPOILER]"]})
model = AutoModel.from_pretrained(catalog.model("encoder"))
model.resize_token_embeddings(len(tokenizer))
print(tokenizer.tokenize("The twist [SPOILER] ruins it."), tokenizer.convert_tokens_to_ids("[SPOILER]"))
print(tokenizer.decode(tokenizer("The twist [SPOILER] ruins it.")["input_ids"], skip_special_tokens=True))
spoiler = (tokenizer, model)

# %% Exercise 2: wrong (the embedding table was not resized)
tokenizer = AutoTokenizer.from_pretrained(catalog.model("encoder"))
tokenizer.add_special_tokens({"additional_special_tokens": ["[SPOILER]"]})
spoiler = (tokenizer, AutoModel.from_pretrained(catalog.model("encoder")))

# %% Exercise 2: wrong (added as a normal token: the normaliser lowercases it, and it is not special)
tokenizer = AutoTokenizer.from_pretrained(catalog.model("encoder"))
tokenizer.add_tokens(["[SPOILER]"])
model = AutoModel.from_pretrained(catalog.model("encoder"))
model.resize_token_embeddings(len(tokenizer))
spoiler = (tokenizer, model)
'''
