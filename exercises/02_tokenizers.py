"""The exercises of notebooks/02_tokenizers.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, integer, register


@register("02_tokenizers", 1, hint="train_new_from_iterator takes the texts (an iterator of lists works best) and "
          "the vocabulary size you want; then count the tokens of the test reviews.")
def small_vocabulary(answer, test_texts, reference):
    if not callable(getattr(answer, "tokenize", None)) or not hasattr(answer, "get_vocab"):
        raise Wrong("give the tokenizer that train_new_from_iterator returned.")
    size = len(answer)
    if abs(size - 2000) > 50:
        raise Wrong(f"its vocabulary holds {size:,} tokens, not about 2,000.")
    words = sum(len(text.split()) for text in test_texts)

    def per_word(tokenizer):
        return sum(len(ids) for ids in tokenizer(list(test_texts), add_special_tokens=False)["input_ids"]) / words

    small, larger = per_word(answer), per_word(reference)
    return (f"{small:.3f} tokens per word with 2,000 entries against {larger:.3f} with {len(reference):,}: a smaller "
            "vocabulary cuts words into more pieces, so every input gets longer.")


@register("02_tokenizers", 2, hint="Call the tokenizer on the 32 texts with padding, truncation, max_length and "
          "pad_to_multiple_of, ask for arrays (return_tensors), and count the ids.")
def padded_to_multiple_of_8(answer, tokenizer, texts):
    value = integer(answer, "The number of tokens")
    def computed(**options):
        return tokenizer(list(texts), truncation=True, max_length=64, return_tensors="np", **options)["input_ids"].size
    expected = computed(padding="longest", pad_to_multiple_of=8)
    if value == expected:
        plain = computed(padding="longest")
        return f"{expected:,} tokens, {expected - plain:,} more than padding to the longest review alone."
    if value == computed(padding="longest"):
        raise Wrong("that is the batch padded to its longest review; round its length up to a multiple of 8.")
    raise Wrong(f"{value:,} is not the number of tokens of that batch.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
small_vocabulary = wordpiece.train_new_from_iterator(
    (train_texts[i:i + 1000] for i in range(0, len(train_texts), 1000)), vocab_size=2000)

# %% Exercise 1: wrong (the tokenizer of section 7, with its larger vocabulary)
small_vocabulary = trained

# %% Exercise 2
batch = wordpiece(test_texts[:32], padding="longest", pad_to_multiple_of=8, truncation=True, max_length=64,
                  return_tensors="np")
tokens_multiple_of_8 = batch["input_ids"].size

# %% Exercise 2: wrong (padded to the longest review only)
tokens_multiple_of_8 = wordpiece(test_texts[:32], padding="longest", truncation=True, max_length=64,
                                 return_tensors="np")["input_ids"].size
'''
